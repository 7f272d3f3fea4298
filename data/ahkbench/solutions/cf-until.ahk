FirstSquareAbove(limit) {
    Loop {
        sq := A_Index * A_Index
    } Until sq > limit
    return sq
}
