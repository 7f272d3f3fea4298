#Persistent
SetBatchLines, -1
