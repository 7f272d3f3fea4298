:X:dt::Send FormatTime(, "yyyy-MM-dd")
:*X:ttt::MsgBox("triple t")
::multi::
{
    Send "multi line hotstring"
}
