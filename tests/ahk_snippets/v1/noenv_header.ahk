#NoEnv
#SingleInstance Force
SetWorkingDir %A_ScriptDir%
SendMode Input
