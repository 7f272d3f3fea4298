Loop, Parse, list, `,
{
    MsgBox %A_LoopField%
}
