ie := ComObjCreate("InternetExplorer.Application")
ie.Visible := true
MsgBox, done
