#SingleInstance Force
#Warn All, Off
#NoTrayIcon
Persistent
