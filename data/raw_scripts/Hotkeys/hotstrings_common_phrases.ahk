#Requires AutoHotkey v2.0
; Expand short abbreviations into common phrases while typing.
; Plain hotstrings fire after an ending character (space, period, Enter);
; the ones with the * option fire immediately, and ? lets them fire inside words.

::btw::by the way
::imo::in my opinion
::afaik::as far as I know
::fyi::for your information
::asap::as soon as possible
::thx::thanks
::ty::thank you
:*:@@me::someone@example.com
:*:;addr::221 Example Street, Springfield
:C:AHK::AutoHotkey
:?*:(c)::©
:?*:(tm)::™

; A multi-line signature sent as raw text, so that special characters stay literal.
::sig::
{
    SendText("Kind regards,`nJordan Miles`nSupport Team")
}
