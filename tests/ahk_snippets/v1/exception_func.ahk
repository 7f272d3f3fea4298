try
    throw Exception("failed")
catch e
    MsgBox % e.Message
