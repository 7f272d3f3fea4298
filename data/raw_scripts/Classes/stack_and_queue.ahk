#Requires AutoHotkey v2.0
; Stack (last in, first out) and Queue (first in, first out) classes built on
; Array. Both expose Count as a property, Peek to look without removing,
; and throw an error when empty. A short demo checks balanced brackets.

class Stack
{
    items := []
    Push(v) => this.items.Push(v)
    Pop()
    {
        if !this.items.Length
            throw Error("Stack is empty")
        return this.items.Pop()
    }
    Peek() => this.items.Length ? this.items[-1] : ""
    Count => this.items.Length
}

class Queue
{
    items := []
    Enqueue(v) => this.items.Push(v)
    Dequeue()
    {
        if !this.items.Length
            throw Error("Queue is empty")
        return this.items.RemoveAt(1)
    }
    Count => this.items.Length
}

IsBalanced(text)
{
    pairs := Map(")", "(", "]", "[", "}", "{")
    st := Stack()
    Loop Parse text
    {
        ch := A_LoopField
        if InStr("([{", ch)
            st.Push(ch)
        else if pairs.Has(ch) && (st.Count = 0 || st.Pop() != pairs[ch])
            return false
    }
    return st.Count = 0
}

q := Queue()
for expr in ["(a[b]{c})", "(]", "((x)", "{[()()]}"]
    q.Enqueue(expr)
result := ""
while q.Count
{
    e := q.Dequeue()
    result .= e "  ->  " (IsBalanced(e) ? "balanced" : "not balanced") "`n"
}
MsgBox(result)
