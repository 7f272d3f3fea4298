WinGet, id, List,,, Program Manager
Loop, %id%
{
    this_id := id%A_Index%
}
