package no.aktiver

/** ICAO 9303 specimens and a check-digit helper for building test lines. */
internal object Specimens {
    const val TD3_LINE1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
    const val TD3_LINE2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
    const val TD3 = "$TD3_LINE1\n$TD3_LINE2"

    const val TD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n" +
        "7408122F1204159UTO<<<<<<<<<<<6\n" +
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"

    const val TD2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\n" +
        "D231458907UTO7408122F1204159<<<<<<<6"

    const val TD1_LONG_NUMBER = "I<UTOD23145890<7349<<<<<<<<<<<\n" +
        "3407127M9507122UTO<<<<<<<<<<<2\n" +
        "STEVENSON<<PETER<JOHN<<<<<<<<<"

    /** ICAO 9303 Part 3: weights 7,3,1; A=10 .. Z=35; `<` = 0. */
    fun checkDigit(field: String): Char {
        val sum = field.mapIndexed { i, c ->
            val value = when (c) {
                in '0'..'9' -> c - '0'
                in 'A'..'Z' -> c - 'A' + 10
                '<' -> 0
                else -> error("not an MRZ character: $c")
            }
            value * intArrayOf(7, 3, 1)[i % 3]
        }.sum()
        return '0' + sum % 10
    }

    /** A TD3 second line with all check digits computed (positions per ICAO 9303 Part 4). */
    fun td3Line2(number: String, nationality: String, birth: String, sex: Char, expiry: String, personal: String): String {
        val num = number.padEnd(9, '<')
        val pers = personal.padEnd(14, '<')
        val n = num + checkDigit(num)
        val b = birth + checkDigit(birth)
        val e = expiry + checkDigit(expiry)
        val p = pers + checkDigit(pers)
        val composite = checkDigit(n + b + e + p)
        return "$n$nationality$b$sex$e$p$composite"
    }

    /** A TD1 MRZ with all check digits computed (positions per ICAO 9303 Part 5). */
    fun td1(state: String, number: String, optional1: String, birth: String, sex: Char, expiry: String, names: String): String {
        val num = number.padEnd(9, '<')
        val line1Tail = num + checkDigit(num) + optional1.padEnd(15, '<')
        val b = birth + checkDigit(birth)
        val e = expiry + checkDigit(expiry)
        val optional2 = "".padEnd(11, '<')
        val composite = checkDigit(line1Tail + b + e + optional2)
        val line1 = "I<$state$line1Tail"
        val line2 = "$b$sex$e$state$optional2$composite"
        return "$line1\n$line2\n${names.padEnd(30, '<')}"
    }
}
