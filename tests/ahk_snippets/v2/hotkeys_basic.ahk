#Requires AutoHotkey v2.0
^!n::Run "notepad.exe"
#Space::
{
    MsgBox "Win+Space pressed"
}
~LButton & RButton::MsgBox "chord"
CapsLock::Esc
