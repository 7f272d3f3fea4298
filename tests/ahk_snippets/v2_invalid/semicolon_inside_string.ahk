; v2 removes ` ;comments` before it reads strings, so this string is cut short
path := "C:\dir ;with semicolon"
