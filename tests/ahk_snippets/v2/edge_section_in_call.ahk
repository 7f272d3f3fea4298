MsgBox(Format("
(
{1} and {2}
)", 1, 2))
