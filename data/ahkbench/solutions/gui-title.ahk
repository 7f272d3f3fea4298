MakeWindow(title) => Gui(, title)
