NotepadOnly(key, fn) {
    HotIf (*) => WinActive("ahk_exe notepad.exe")
    Hotkey(key, fn)
    HotIf
}
