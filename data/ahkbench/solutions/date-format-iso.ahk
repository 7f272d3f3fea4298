Iso(stamp) => FormatTime(stamp, "yyyy-MM-dd'T'HH:mm:ss")
