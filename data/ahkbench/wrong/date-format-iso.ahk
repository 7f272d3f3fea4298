Iso(stamp) => FormatTime(stamp, "yyyy-MM-dd'T'hh:mm:ss")
