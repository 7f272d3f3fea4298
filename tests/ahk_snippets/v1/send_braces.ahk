Send, {Ctrl down}c{Ctrl up}
