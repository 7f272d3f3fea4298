::btw::by the way, my friend
::addr::12 Main St., Springfield, USA
:*:sig;::Best regards, The Team
