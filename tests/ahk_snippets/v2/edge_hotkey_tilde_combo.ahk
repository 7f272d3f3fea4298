~LButton & WheelUp::Send "{Volume_Up}"
