NumpadAdd::Send "{Volume_Up}"
+NumpadSub::return
