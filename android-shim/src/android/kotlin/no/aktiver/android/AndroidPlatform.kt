package no.aktiver.android

import android.Manifest
import android.content.Context
import android.content.SharedPreferences
import android.content.pm.PackageManager
import android.hardware.biometrics.BiometricManager
import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.util.Base64
import no.aktiver.ffi.CapabilityException
import no.aktiver.ffi.Permission
import no.aktiver.ffi.Permissions
import no.aktiver.ffi.PushPlatform
import no.aktiver.ffi.PushToken
import no.aktiver.ffi.PushTokenValue
import no.aktiver.ffi.SecureStorage
import java.security.KeyStore
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * The OS permission prompts. [requester] shows the prompt for an Android
 * permission (with the app's `ActivityResultLauncher` or
 * `Activity.requestPermissions`) and completes with the answer; the core
 * waits for it on a background thread.
 */
public class AndroidPermissions(
    private val context: Context,
    private val requester: (String) -> CompletableFuture<Boolean>,
) : Permissions {
    override fun granted(permission: Permission): Boolean =
        when (permission) {
            Permission.BIOMETRICS -> biometricReady()
            else -> manifestName(permission)?.let { context.checkSelfPermission(it) == PackageManager.PERMISSION_GRANTED } ?: true
        }

    override fun request(permission: Permission): Boolean {
        if (granted(permission)) return true
        // Biometrics have no runtime permission: enrolment is the user's, in Settings.
        val name = manifestName(permission) ?: return false
        return try {
            requester(name).get(5, TimeUnit.MINUTES)
        } catch (e: Exception) {
            false
        }
    }

    private fun biometricReady(): Boolean =
        context.getSystemService(BiometricManager::class.java)?.canAuthenticate(
            BiometricManager.Authenticators.BIOMETRIC_STRONG,
        ) == BiometricManager.BIOMETRIC_SUCCESS

    private fun manifestName(permission: Permission): String? =
        when (permission) {
            Permission.CAMERA -> Manifest.permission.CAMERA
            // Before Android 13 notifications need no runtime permission.
            Permission.NOTIFICATIONS ->
                if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU) Manifest.permission.POST_NOTIFICATIONS else null
            Permission.BIOMETRICS -> null
        }
}

/**
 * The FCM token handed over from the app's messaging service
 * (`FirebaseMessagingService.onNewToken` and `FirebaseMessaging.getToken()`
 * call [onNewToken]); the core waits up to [waitMs] for one.
 */
public class PushTokenHandOff(
    private val waitMs: Long = 15_000,
) : PushToken {
    private val token = CompletableFuture<String>()

    @Volatile private var latest: String? = null

    public fun onNewToken(value: String) {
        latest = value
        token.complete(value)
    }

    override fun token(): PushTokenValue {
        val t =
            latest ?: try {
                token.get(waitMs, TimeUnit.MILLISECONDS)
            } catch (e: Exception) {
                throw CapabilityException.Unavailable("no push token yet")
            }
        return PushTokenValue(PushPlatform.FCM, t)
    }
}

/**
 * Secure storage: values encrypted with AES-256-GCM under a key that never
 * leaves the Android Keystore, kept in private SharedPreferences (the
 * framework's equivalent of AndroidX's EncryptedSharedPreferences).
 */
public class KeystoreStorage(
    context: Context,
    name: String = "aktiver.secure",
) : SecureStorage {
    private val prefs: SharedPreferences = context.getSharedPreferences(name, Context.MODE_PRIVATE)
    private val alias = "aktiver.storage.$name"

    private fun key(): SecretKey {
        val ks = KeyStore.getInstance("AndroidKeyStore").apply { load(null) }
        (ks.getKey(alias, null) as? SecretKey)?.let { return it }
        val gen = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, "AndroidKeyStore")
        gen.init(
            KeyGenParameterSpec
                .Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .build(),
        )
        return gen.generateKey()
    }

    override fun get(key: String): ByteArray? {
        val stored = prefs.getString(key, null) ?: return null
        return try {
            val blob = Base64.decode(stored, Base64.NO_WRAP)
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.DECRYPT_MODE, key(), GCMParameterSpec(128, blob, 0, IV_BYTES))
            cipher.updateAAD(key.toByteArray())
            cipher.doFinal(blob, IV_BYTES, blob.size - IV_BYTES)
        } catch (e: Exception) {
            throw CapabilityException.Failed("storage: ${e.javaClass.simpleName}")
        }
    }

    override fun put(key: String, value: ByteArray) {
        try {
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.ENCRYPT_MODE, key())
            cipher.updateAAD(key.toByteArray())
            val blob = cipher.iv + cipher.doFinal(value)
            if (!prefs.edit().putString(key, Base64.encodeToString(blob, Base64.NO_WRAP)).commit()) {
                throw CapabilityException.Failed("storage: commit failed")
            }
        } catch (e: CapabilityException) {
            throw e
        } catch (e: Exception) {
            throw CapabilityException.Failed("storage: ${e.javaClass.simpleName}")
        }
    }

    override fun delete(key: String) {
        prefs.edit().remove(key).commit()
    }

    private companion object {
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_BYTES = 12
    }
}
