^Foo::MsgBox "x"
