class ValidationError extends Error {
}
CheckAge(age) {
    if age < 0 || age > 150
        throw ValidationError("age must be 0-150")
    return age
}
