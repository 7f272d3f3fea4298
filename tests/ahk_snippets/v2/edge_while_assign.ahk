f() => ""
while (line := f()) != ""
    break
