class MathUtil {
    static Square(x) => x * x
    static PI := 3.14159
    static Area(r) {
        return MathUtil.PI * MathUtil.Square(r)
    }
}
MsgBox MathUtil.Area(2)
