Status(g, msg) => g["Status"].Text := msg
