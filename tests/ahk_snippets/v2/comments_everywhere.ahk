; a line comment
x := 1 ; trailing comment with "quote and ( bracket
/* a block comment
   with } and { and MsgBox, legacy
*/
y := x + 1 ; comment */ with a stray end marker
