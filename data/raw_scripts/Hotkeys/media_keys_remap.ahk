#Requires AutoHotkey v2.0
; Remap a few spare key combinations to media and volume controls.
; Win+F7/F8/F9 control playback, Win+PageUp/PageDown change the volume
; in steps of 5 and show the new level in a tooltip, Win+End mutes.

#F7::Send("{Media_Prev}")
#F8::Send("{Media_Play_Pause}")
#F9::Send("{Media_Next}")

#PgUp::ChangeVolume(+5)
#PgDn::ChangeVolume(-5)

#End::
{
    SoundSetMute(-1)
    ShowLevel(SoundGetMute() ? "Muted" : "Sound on")
}

ChangeVolume(step)
{
    level := SoundGetVolume()
    level := level + step
    if level > 100
        level := 100
    else if level < 0
        level := 0
    SoundSetVolume(level)
    ShowLevel("Volume: " Round(level) "%")
}

ShowLevel(text)
{
    ToolTip(text)
    SetTimer(() => ToolTip(), -1000)
}
