MakeWindow(title) => Gui()
