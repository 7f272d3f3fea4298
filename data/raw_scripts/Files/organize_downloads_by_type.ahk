#Requires AutoHotkey v2.0
; Tidy the Downloads folder: move each file into a sub-folder named after
; its kind (Images, Documents, Archives, Audio, Video, Other), creating the
; folders as needed. Files with the same name get a numeric suffix.

downloads := EnvGet("USERPROFILE") "\Downloads"
kinds := Map(
    "Images", "jpg jpeg png gif bmp webp svg",
    "Documents", "pdf doc docx xls xlsx ppt pptx txt md csv",
    "Archives", "zip 7z rar tar gz",
    "Audio", "mp3 wav flac ogg m4a",
    "Video", "mp4 mkv avi mov webm"
)

KindOf(ext)
{
    for kind, list in kinds
        if InStr(" " list " ", " " StrLower(ext) " ")
            return kind
    return "Other"
}

UniqueTarget(folder, name)
{
    SplitPath(name, , , &ext, &stem)
    candidate := folder "\" name
    n := 1
    while FileExist(candidate)
    {
        n += 1
        candidate := folder "\" stem " (" n ")" (ext = "" ? "" : "." ext)
    }
    return candidate
}

moved := 0
Loop Files downloads "\*.*"
{
    folder := downloads "\" KindOf(A_LoopFileExt)
    DirCreate(folder)
    FileMove(A_LoopFileFullPath, UniqueTarget(folder, A_LoopFileName))
    moved++
}
MsgBox(moved " file(s) sorted in " downloads)
