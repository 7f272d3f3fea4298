Status(g, msg) => g.Title := msg
