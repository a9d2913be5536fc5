package no.aktiver

import no.aktiver.ffi.IdDocument
import no.aktiver.ffi.Method
import no.aktiver.ffi.Screen
import no.aktiver.ffi.TestPerson
import no.aktiver.ffi.TestPhone
import no.aktiver.ffi.TestSandbox

/**
 * Plays the person through the facade, as an app's screens would: reads
 * the SMS from the sandbox, films the document with the test phone's
 * camera, declines the optional offers, signs with the current password.
 */
class Person(
    private val sandbox: TestSandbox,
    private val phone: TestPhone,
    private val person: TestPerson,
) {
    private var frame = 0uL

    /** One step on the current screen; false on a terminal screen. */
    suspend fun step(a: Activation): Boolean {
        val view = a.view.value
        if (view.terminal) return false
        when (val s = view.screen) {
            is Screen.Welcome -> a.getStarted()
            is Screen.WelcomeBack -> a.myBankId()
            is Screen.MyBankId -> a.activateApp()
            is Screen.NationalId -> a.submitNationalId(person.nationalId)
            is Screen.Phone -> a.submitPhone(person.phone)
            is Screen.SmsCode -> a.submitSmsCode(checkNotNull(sandbox.smsCode(person.phone)) { "no SMS" })
            is Screen.ActivationMethod -> a.chooseMethod(Method.ID_CHECK)
            is Screen.ChooseDocument -> a.chooseDocument(IdDocument.ID_CARD)
            is Screen.MrzScan -> {
                val f = phone.cameraFrame(frame++)
                a.submitFrame(f.luma, f.width.toInt(), f.height.toInt(), f.rowStride.toInt())
            }
            is Screen.PasswordOffer, is Screen.NotificationsOffer, is Screen.BiometricsOffer -> a.notNow()
            is Screen.Agreement -> if (s.accepted) a.proceed() else a.setAccepted(true)
            is Screen.SignAgreement -> a.signAgreement(checkNotNull(person.password))
            is Screen.NetworkError -> a.retry()
            else -> a.proceed()
        }
        return true
    }

    /**
     * Steps until [target] is the current screen name (an error if the flow
     * ends elsewhere) or, without a target, until the flow ends; returns the screen.
     */
    suspend fun walk(a: Activation, target: String? = null): Screen {
        repeat(300) {
            if (a.view.value.name == target) return a.screen.value
            if (!step(a)) {
                check(target == null) { "expected $target, the flow ended at ${a.screen.value}" }
                return a.screen.value
            }
        }
        error("no end in 300 steps, at ${a.view.value.name}")
    }
}
