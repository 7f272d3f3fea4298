größe := 5
prix_€ := 1
MsgBox größe
