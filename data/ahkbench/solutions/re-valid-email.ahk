IsEmail(s) => RegExMatch(s, "^[\w.-]+@[\w-]+(\.[\w-]+)+$") > 0
