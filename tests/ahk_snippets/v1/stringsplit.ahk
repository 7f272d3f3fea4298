colors := "red,green,blue"
StringSplit, parts, colors, `,
MsgBox %parts1%
