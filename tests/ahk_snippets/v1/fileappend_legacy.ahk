FileAppend, Some text`n, %A_Desktop%\out.txt
