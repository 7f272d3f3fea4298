Run, %ComSpec% /c dir
