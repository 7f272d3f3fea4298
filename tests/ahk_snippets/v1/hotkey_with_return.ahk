^j::
    Send, My First Script
return
