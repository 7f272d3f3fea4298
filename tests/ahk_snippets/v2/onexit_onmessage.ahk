OnExit(Cleanup)
Cleanup(reason, code) {
    FileAppend reason "`n", "log.txt"
}
OnMessage(0x0201, (wParam, lParam, msg, hwnd) => 0)
