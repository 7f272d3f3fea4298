<^>!e::Send "€"
>+a::MsgBox "r"
