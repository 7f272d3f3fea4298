/* a block comment: the code after its end marker on this line is still comment */ x := 1
}
*/
y := MsgBox("visible")
