Greet(name := "world", punct := "!") => "Hello, " name punct
