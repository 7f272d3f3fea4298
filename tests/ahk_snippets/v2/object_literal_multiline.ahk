config := {
    name: "demo",
    size: [640, 480],
    nested: {enabled: true, level: 3},
}
MsgBox config.nested.level
