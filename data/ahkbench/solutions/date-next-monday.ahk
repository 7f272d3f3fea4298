NextMonday(stamp) {
    Loop 7 {
        d := DateAdd(stamp, A_Index, "Days")
        if FormatTime(d, "WDay") = 2
            return FormatTime(d, "yyyyMMdd")
    }
}
