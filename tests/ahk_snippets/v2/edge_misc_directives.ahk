#UseHook
#MaxThreadsPerHotkey 2
#InputLevel 1
ListLines 0
KeyHistory 0
