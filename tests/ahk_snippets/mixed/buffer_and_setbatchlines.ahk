SetBatchLines, -1
buf := Buffer(8)
MsgBox(buf.Size)
