path := A_Temp "\data.txt"
if FileExist(path) {
    content := FileRead(path)
    Loop Read, path
        lines := A_Index
}
