"""Data the AutoHotkey v2 checker needs: built-in functions and their parameter counts,
built-in classes and variables, directives, key names, and what AutoHotkey v1 had.

The function and class tables were measured against AutoHotkey v2.0.18 itself: each name was
assigned to (a Func or a Class cannot be an output variable) and called with 0 to 20 arguments.
"""

from __future__ import annotations

import re

INTERPRETER_VERSION = (2, 0, 18)

# Name, fewest and most parameters ("*" = any number).
_FUNCTION_TABLE = """
Abs 1 1 | ACos 1 1 | ASin 1 1 | ATan 1 1 | BlockInput 1 1 | CallbackCreate 1 3 |
CallbackFree 1 1 | CaretGetPos 0 2 | Ceil 1 1 | Chr 1 1 | Click 0 6 | ClipWait 0 2 |
ComCall 2 * | ComObjActive 1 1 | ComObjConnect 1 2 | ComObjFlags 1 3 | ComObjFromPtr 1 1 |
ComObjGet 1 1 | ComObjQuery 2 3 | ComObjType 1 2 | ComObjValue 1 1 | ControlAddItem 2 6 |
ControlChooseIndex 2 6 | ControlChooseString 2 6 | ControlClick 0 8 |
ControlDeleteItem 2 6 | ControlFindItem 2 6 | ControlFocus 1 5 | ControlGetChecked 1 5 |
ControlGetChoice 1 5 | ControlGetClassNN 1 5 | ControlGetEnabled 1 5 |
ControlGetExStyle 1 5 | ControlGetFocus 0 4 | ControlGetHwnd 1 5 | ControlGetIndex 1 5 |
ControlGetItems 1 5 | ControlGetPos 0 9 | ControlGetStyle 1 5 | ControlGetText 1 5 |
ControlGetVisible 1 5 | ControlHide 1 5 | ControlHideDropDown 1 5 | ControlMove 0 9 |
ControlSend 1 6 | ControlSendText 1 6 | ControlSetChecked 2 6 | ControlSetEnabled 2 6 |
ControlSetExStyle 2 6 | ControlSetStyle 2 6 | ControlSetText 2 6 | ControlShow 1 5 |
ControlShowDropDown 1 5 | CoordMode 1 2 | Cos 1 1 | Critical 0 1 | DateAdd 3 3 |
DateDiff 3 3 | DetectHiddenText 1 1 | DetectHiddenWindows 1 1 | DirCopy 2 3 |
DirCreate 1 1 | DirDelete 1 2 | DirExist 1 1 | DirMove 2 3 | DirSelect 0 3 | DllCall 1 * |
Download 2 2 | DriveEject 0 1 | DriveGetCapacity 1 1 | DriveGetFileSystem 1 1 |
DriveGetLabel 1 1 | DriveGetList 0 1 | DriveGetSerial 1 1 | DriveGetSpaceFree 1 1 |
DriveGetStatus 1 1 | DriveGetStatusCD 0 1 | DriveGetType 1 1 | DriveLock 1 1 |
DriveRetract 0 1 | DriveSetLabel 1 2 | DriveUnlock 1 1 | Edit 0 0 | EditGetCurrentCol 1 5 |
EditGetCurrentLine 1 5 | EditGetLine 2 6 | EditGetLineCount 1 5 | EditGetSelectedText 1 5 |
EditPaste 2 6 | EnvGet 1 1 | EnvSet 1 2 | Exit 0 1 | ExitApp 0 1 | Exp 1 1 |
FileAppend 1 3 | FileCopy 2 3 | FileCreateShortcut 2 9 | FileDelete 1 1 |
FileEncoding 1 1 | FileExist 1 1 | FileGetAttrib 0 1 | FileGetShortcut 1 8 |
FileGetSize 0 2 | FileGetTime 0 2 | FileGetVersion 0 1 | FileInstall 2 3 | FileMove 2 3 |
FileOpen 2 3 | FileRead 1 2 | FileRecycle 1 1 | FileRecycleEmpty 0 1 | FileSelect 0 4 |
FileSetAttrib 1 3 | FileSetTime 0 4 | Floor 1 1 | Format 1 * | FormatTime 0 2 |
GetKeyName 1 1 | GetKeySC 1 1 | GetKeyState 1 2 | GetKeyVK 1 1 | GetMethod 1 3 |
GroupActivate 1 2 | GroupAdd 1 5 | GroupClose 1 2 | GroupDeactivate 1 2 |
GuiCtrlFromHwnd 1 1 | GuiFromHwnd 1 2 | HasBase 2 2 | HasMethod 1 3 | HasProp 2 2 |
HotIf 0 1 | HotIfWinActive 0 2 | HotIfWinExist 0 2 | HotIfWinNotActive 0 2 |
HotIfWinNotExist 0 2 | Hotkey 1 3 | Hotstring 1 3 | IL_Add 2 4 | IL_Create 0 3 |
IL_Destroy 1 1 | ImageSearch 7 7 | IniDelete 2 3 | IniRead 1 4 | IniWrite 3 4 |
InputBox 0 4 | InstallKeybdHook 0 2 | InstallMouseHook 0 2 | InStr 2 5 | IsAlnum 1 2 |
IsAlpha 1 2 | IsDigit 1 1 | IsFloat 1 1 | IsInteger 1 1 | IsLabel 1 1 | IsLower 1 2 |
IsNumber 1 1 | IsObject 1 1 | IsSet 1 1 | IsSetRef 1 1 | IsSpace 1 1 | IsTime 1 1 |
IsUpper 1 2 | IsXDigit 1 1 | KeyHistory 0 1 | KeyWait 1 2 | ListHotkeys 0 0 |
ListLines 0 1 | ListVars 0 0 | ListViewGetContent 0 6 | Ln 1 1 | LoadPicture 1 3 |
Log 1 1 | LTrim 1 2 | Max 1 * | MenuFromHandle 1 1 | MenuSelect 0 11 | Min 1 * | Mod 2 2 |
MonitorGet 0 5 | MonitorGetCount 0 0 | MonitorGetName 0 1 | MonitorGetPrimary 0 0 |
MonitorGetWorkArea 0 5 | MouseClick 0 7 | MouseClickDrag 0 7 | MouseGetPos 0 5 |
MouseMove 2 4 | MsgBox 0 3 | NumGet 2 3 | NumPut 3 * | ObjAddRef 1 1 | ObjBindMethod 1 * |
ObjFromPtr 1 1 | ObjFromPtrAddRef 1 1 | ObjGetBase 1 1 | ObjGetCapacity 1 1 |
ObjHasOwnProp 2 2 | ObjOwnPropCount 1 1 | ObjOwnProps 1 1 | ObjPtr 1 1 | ObjPtrAddRef 1 1 |
ObjRelease 1 1 | ObjSetBase 2 2 | ObjSetCapacity 2 2 | OnClipboardChange 1 2 |
OnError 1 2 | OnExit 1 2 | OnMessage 2 3 | Ord 1 1 | OutputDebug 1 1 | Pause 0 1 |
Persistent 0 1 | PixelGetColor 2 3 | PixelSearch 7 8 | PostMessage 1 8 | ProcessClose 1 1 |
ProcessExist 0 1 | ProcessGetName 0 1 | ProcessGetParent 0 1 | ProcessGetPath 0 1 |
ProcessSetPriority 1 2 | ProcessWait 1 2 | ProcessWaitClose 1 2 | Random 0 2 |
RegCreateKey 0 1 | RegDelete 0 2 | RegDeleteKey 0 1 | RegExMatch 2 4 | RegExReplace 2 6 |
RegRead 0 3 | RegWrite 0 4 | Reload 0 0 | Round 1 2 | RTrim 1 2 | Run 1 4 | RunAs 0 3 |
RunWait 1 4 | Send 1 1 | SendEvent 1 1 | SendInput 1 1 | SendLevel 1 1 | SendMessage 1 9 |
SendMode 1 1 | SendPlay 1 1 | SendText 1 1 | SetCapsLockState 0 1 | SetControlDelay 1 1 |
SetDefaultMouseSpeed 1 1 | SetKeyDelay 0 3 | SetMouseDelay 1 2 | SetNumLockState 0 1 |
SetRegView 1 1 | SetScrollLockState 0 1 | SetStoreCapsLockMode 1 1 | SetTimer 0 3 |
SetTitleMatchMode 1 1 | SetWinDelay 1 1 | SetWorkingDir 1 1 | Shutdown 1 1 | Sin 1 1 |
Sleep 1 1 | Sort 1 3 | SoundBeep 0 2 | SoundGetInterface 1 3 | SoundGetMute 0 2 |
SoundGetName 0 2 | SoundGetVolume 0 2 | SoundPlay 1 2 | SoundSetMute 1 3 |
SoundSetVolume 1 3 | SplitPath 1 6 | Sqrt 1 1 | StatusBarGetText 0 5 | StatusBarWait 0 8 |
StrCompare 2 3 | StrGet 1 3 | StrLen 1 1 | StrLower 1 1 | StrPtr 1 1 | StrPut 1 4 |
StrReplace 2 6 | StrSplit 1 4 | StrTitle 1 1 | StrUpper 1 1 | SubStr 2 3 | Suspend 0 1 |
SysGet 1 1 | SysGetIPAddresses 0 0 | Tan 1 1 | Thread 1 3 | ToolTip 0 4 | TraySetIcon 0 3 |
TrayTip 0 3 | Trim 1 2 | Type 1 1 | VarSetStrCapacity 1 2 | VerCompare 2 2 |
WinActivate 0 4 | WinActivateBottom 0 4 | WinActive 0 4 | WinClose 0 5 | WinExist 0 4 |
WinGetClass 0 4 | WinGetClientPos 0 8 | WinGetControls 0 4 | WinGetControlsHwnd 0 4 |
WinGetCount 0 4 | WinGetExStyle 0 4 | WinGetID 0 4 | WinGetIDLast 0 4 | WinGetList 0 4 |
WinGetMinMax 0 4 | WinGetPID 0 4 | WinGetPos 0 8 | WinGetProcessName 0 4 |
WinGetProcessPath 0 4 | WinGetStyle 0 4 | WinGetText 0 4 | WinGetTitle 0 4 |
WinGetTransColor 0 4 | WinGetTransparent 0 4 | WinHide 0 4 | WinKill 0 5 |
WinMaximize 0 4 | WinMinimize 0 4 | WinMinimizeAll 0 0 | WinMinimizeAllUndo 0 0 |
WinMove 0 8 | WinMoveBottom 0 4 | WinMoveTop 0 4 | WinRedraw 0 4 | WinRestore 0 4 |
WinSetAlwaysOnTop 0 5 | WinSetEnabled 1 5 | WinSetExStyle 1 5 | WinSetRegion 0 5 |
WinSetStyle 1 5 | WinSetTitle 1 5 | WinSetTransColor 1 5 | WinSetTransparent 1 5 |
WinShow 0 4 | WinWait 0 5 | WinWaitActive 0 5 | WinWaitClose 0 5 | WinWaitNotActive 0 5
"""


def _parse_functions(table: str) -> dict[str, tuple[int, int | None]]:
    out: dict[str, tuple[int, int | None]] = {}
    for entry in table.replace("\n", "|").split("|"):
        parts = entry.split()
        if len(parts) == 3:
            name, lo, hi = parts
            out[name.lower()] = (int(lo), None if hi == "*" else int(hi))
    return out


FUNCS = _parse_functions(_FUNCTION_TABLE)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


CLASSES = _words(
    """any array boundfunc buffer class clipboardall closure comobjarray comobject comvalue
    enumerator error file float func gui indexerror inputhook integer map membererror
    memoryerror menu menubar methoderror number object oserror primitive propertyerror
    regexmatchinfo string targeterror timeouterror typeerror unseterror unsetitemerror
    valueerror varref zerodivisionerror"""
)

DIRECTIVES = _words(
    """#clipboardtimeout #dllload #errorstdout #hotif #hotiftimeout #hotstring #include
    #includeagain #inputlevel #maxthreads #maxthreadsbuffer #maxthreadsperhotkey #notrayicon
    #requires #singleinstance #suspendexempt #usehook #warn #winactivateforce"""
)

V1_DIRECTIVES = _words(
    """#allowsamelinecomments #commentflag #delimiter #derefchar #escapechar #hotkeyinterval
    #hotkeymodifiertimeout #if #iftimeout #ifwinactive #ifwinexist #ifwinnotactive
    #ifwinnotexist #installkeybdhook #installmousehook #keyhistory #ltrim #maxhotkeysperinterval
    #maxmem #menumaskkey #noenv #persistent"""
)

# AutoHotkey v1 commands (v1 wrote them `Name, arg, arg`). Most are v2 functions now.
V1_COMMANDS = _words(
    """autotrim blockinput click clipwait control controlclick controlfocus controlget
    controlgetfocus controlgetpos controlgettext controlmove controlsend controlsendraw
    controlsettext coordmode critical detecthiddentext detecthiddenwindows drive driveget
    drivespacefree edit envadd envdiv envget envmult envset envsub envupdate exit exitapp
    fileappend filecopy filecopydir filecreatedir filecreateshortcut filedelete fileencoding
    filegetattrib filegetshortcut filegetsize filegettime filegetversion fileinstall filemove
    filemovedir fileread filereadline filerecycle filerecycleempty fileremovedir fileselectfile
    fileselectfolder filesetattrib filesettime formattime getkeystate gosub groupactivate
    groupadd groupclose groupdeactivate gui guicontrol guicontrolget hotkey ifequal ifexist
    ifgreater ifgreaterorequal ifinstring ifless iflessorequal ifmsgbox ifnotequal ifnotexist
    ifnotinstring ifwinactive ifwinexist ifwinnotactive ifwinnotexist imagesearch inidelete
    iniread iniwrite input inputbox keyhistory keywait listhotkeys listlines listvars menu
    mouseclick mouseclickdrag mousegetpos mousemove msgbox onexit outputdebug pause
    pixelgetcolor pixelsearch postmessage process progress random regdelete regread regwrite
    reload run runas runwait send sendevent sendinput sendlevel sendmessage sendmode sendplay
    sendraw setbatchlines setcapslockstate setcontroldelay setdefaultmousespeed setenv setformat
    setkeydelay setmousedelay setnumlockstate setregview setscrolllockstate setstorecapslockmode
    settimer settitlematchmode setwindelay setworkingdir shutdown sleep sort soundbeep soundget
    soundgetwavevolume soundplay soundset soundsetwavevolume splashimage splashtextoff
    splashtexton splitpath statusbargettext statusbarwait stringcasesense stringgetpos
    stringleft stringlen stringlower stringmid stringreplace stringright stringsplit
    stringtrimleft stringtrimright stringupper suspend sysget thread tooltip transform traytip
    urldownloadtofile winactivate winactivatebottom winclose winget wingetactivestats
    wingetactivetitle wingetclass wingetpos wingettext wingettitle winhide winkill winmaximize
    winmenuselectitem winminimize winminimizeall winminimizeallundo winmove winrestore winset
    winsettitle winshow winwait winwaitactive winwaitclose winwaitnotactive"""
)

# v1 commands that v2 has no function for.
V1_COMMANDS_REMOVED = frozenset(
    name for name in V1_COMMANDS if name not in FUNCS and name not in CLASSES
) | frozenset(("gui", "menu"))

# v1 built-in functions that v2 dropped or renamed.
V1_FUNCS_REMOVED = _words(
    """asc comobjcreate comobjenwrap comobjerror comobjmissing comobjparameter comobjunwrap
    exception isbyref isfunc lv_add lv_delete lv_deletecol lv_getcount lv_getnext lv_gettext
    lv_insert lv_insertcol lv_modify lv_modifycol lv_setimagelist menugethandle menugetname
    objclone objcount objdelete objgetaddress objhaskey objinsert objinsertat objlength
    objmaxindex objminindex objnewenum objrawget objrawset objremove objremoveat
    registercallback sb_seticon sb_setparts sb_settext tv_add tv_delete tv_get tv_getchild
    tv_getcount tv_getnext tv_getparent tv_getprev tv_getselection tv_gettext tv_modify
    tv_setimagelist varsetcapacity"""
)

# v1's built-in functions (called with parentheses in both versions).
_V1_FUNCTIONS = _words(
    """abs acos array asin atan ceil chr comobjactive comobjarray comobjconnect comobject
    comobjflags comobjget comobjquery comobjtype comobjvalue cos dllcall exp fileexist fileopen
    floor format func getkeyname getkeysc getkeystate getkeyvk hotstring il_add il_create
    il_destroy inputhook instr islabel isobject ln loadpicture log ltrim max min mod numget
    numput objaddref objbindmethod object objgetbase objgetcapacity objhasownprop
    objownpropcount objptr objrelease objsetbase objsetcapacity onclipboardchange onerror onexit
    onmessage ord regexmatch regexreplace round rtrim sin sqrt strget strlen strput strreplace
    strsplit substr tan trim winactive winexist"""
)

# Calls with parentheses that only a v2 script makes: a v1 command used as a function,
# or a function or class that v1 does not have.
V2_CALL_MARKS = {name: 3.0 for name in (set(FUNCS) | CLASSES) - _V1_FUNCTIONS - V1_FUNCS_REMOVED}

# Built-in variables that cannot be assigned (measured: assigning them is a load error).
READONLY_VARS = _words(
    """a_ahkpath a_ahkversion a_appdata a_appdatacommon a_computername a_comspec a_cursor a_dd
    a_ddd a_dddd a_desktop a_desktopcommon a_endchar a_hour a_iconfile a_iconnumber
    a_initialworkingdir a_is64bitos a_isadmin a_iscompiled a_iscritical a_ispaused a_issuspended
    a_language a_linefile a_linenumber a_loopfield a_loopfileattrib a_loopfiledir a_loopfileext
    a_loopfilefullpath a_loopfilename a_loopfilepath a_loopfileshortname a_loopfileshortpath
    a_loopfilesize a_loopfilesizekb a_loopfilesizemb a_loopfiletimeaccessed
    a_loopfiletimecreated a_loopfiletimemodified a_loopreadline a_loopregkey a_loopregname
    a_loopregtimemodified a_loopregtype a_mday a_min a_mm a_mmm a_mmmm a_mon a_msec
    a_mydocuments a_now a_nowutc a_osversion a_priorhotkey a_priorkey a_programfiles a_programs
    a_programscommon a_ptrsize a_screendpi a_screenheight a_screenwidth a_scriptdir
    a_scriptfullpath a_scripthwnd a_sec a_space a_startmenu a_startmenucommon a_startup
    a_startupcommon a_tab a_temp a_thisfunc a_thishotkey a_tickcount a_timeidle
    a_timeidlekeyboard a_timeidlemouse a_timeidlephysical a_timesincepriorhotkey
    a_timesincethishotkey a_traymenu a_username a_wday a_windir a_yday a_year a_yweek a_yyyy
    false super true unset"""
)

# Key names a hotkey may use (besides single characters, vkNN and scNNN), lower case.
KEY_NAMES = _words(
    """alt appskey backspace browser_back browser_favorites browser_forward browser_home
    browser_refresh browser_search browser_stop bs capslock control ctrl ctrlbreak del delete
    down end enter esc escape help home ins insert lalt launch_app1 launch_app2 launch_mail
    launch_media lbutton lcontrol lctrl left lshift lwin mbutton media_next media_play_pause
    media_prev media_stop numlock numpadadd numpadclear numpaddel numpaddiv numpaddot numpaddown
    numpadend numpadenter numpadhome numpadins numpadleft numpadmult numpadpgdn numpadpgup
    numpadright numpadsub numpadup pause pgdn pgup printscreen ralt rbutton rcontrol rctrl right
    rshift rwin scrolllock shift sleep space tab up volume_down volume_mute volume_up wheeldown
    wheelleft wheelright wheelup xbutton1 xbutton2"""
)
KEY_NAMES |= {f"f{i}" for i in range(1, 25)} | {f"numpad{i}" for i in range(10)}
KEY_NAMES |= {f"joy{i}" for i in range(1, 33)}
_KEY_CODE = re.compile(r"(?i)vk[0-9a-f]{1,2}|sc[0-9a-f]{1,3}")
_HOTKEY_PARTS = re.compile(r"([#!^+<>*~$]*)(.+?)((?i:\s+up))?$")


def is_key(name: str) -> bool:
    """Whether `name` names a key: one character, `; (a semicolon), a key name, vkNN or scNNN."""
    return (
        len(name) == 1
        or name == "`;"
        or name.lower() in KEY_NAMES
        or bool(_KEY_CODE.fullmatch(name))
    )


def hotkey_problem(trigger: str) -> str | None:
    """Why a hotkey trigger (text before `::`) is invalid, or None when it is fine."""
    m = _HOTKEY_PARTS.match(trigger)
    if not m:
        return "Invalid hotkey"
    keys = m.group(2)
    if "&" in keys[1:]:
        parts = [p.strip().lstrip("~") for p in keys.split("&")]
        if len(parts) != 2 or not all(parts):
            return "Invalid hotkey"
    else:
        parts = [keys]
    for part in parts:
        if not is_key(part):
            return f"Invalid key name: {part}"
    return None


def normalize_hotkey(trigger: str) -> str:
    """A comparable form of a hotkey trigger (case, spacing and `~`/`$` prefixes ignored)."""
    m = _HOTKEY_PARTS.match(trigger)
    if not m:
        return trigger.lower()
    mods = "".join(sorted(set(m.group(1)) - {"~", "$"}))
    keys = (
        "&".join(p.strip().lstrip("~").lower() for p in m.group(2).split("&"))
        if "&" in m.group(2)[1:]
        else m.group(2).lower()
    )
    return mods + keys + (" up" if m.group(3) else "")


def is_remap_target(action: str) -> bool:
    """Whether a hotkey's action is a key to remap to (`a::b`), not a statement."""
    m = _HOTKEY_PARTS.match(action)
    return m is not None and not m.group(3) and " " not in m.group(2) and is_key(m.group(2))


_VERSION = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(-[\w.]+)?")


def required_version(spec: str) -> tuple[int, ...] | None:
    """The lowest version a `#Requires AutoHotkey <spec>` line accepts, as a comparable tuple.

    A pre-release (`2.1-alpha.9`) sorts after every 2.0.x release and before 2.1.0."""
    for word in spec.split():
        if word.lower() in ("32-bit", "64-bit"):
            continue
        m = _VERSION.fullmatch(word.lstrip("<>=^").lstrip("v").rstrip("+").rstrip("."))
        if not m:
            return None
        parts = [int(g) if g else 0 for g in m.groups()[:4]]
        if m.group(5):
            parts[2] = -1
        return tuple(parts[:3])
    return None
