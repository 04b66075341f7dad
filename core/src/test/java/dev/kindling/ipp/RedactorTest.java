package dev.kindling.ipp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactorTest {

    @Test
    void hidesUserInfoPasswords() {
        assertThat(Redactor.redact("cannot connect to jdbc:postgresql://app:s3cr3t@db:5432/shop"))
                .isEqualTo("cannot connect to jdbc:postgresql://app:****@db:5432/shop");
        assertThat(Redactor.redact("kafka://broker:9092/topic")).isEqualTo("kafka://broker:9092/topic");
    }

    @Test
    void hidesValuesOfSecretNamesInAnyPositionAndCase() {
        assertThat(Redactor.redact("jdbc:postgresql://db/app?user=app&password=hunter22&sslmode=require"))
                .isEqualTo("jdbc:postgresql://db/app?user=app&password=****&sslmode=require");
        assertThat(Redactor.redact("fs.s3a.secret.key=AKIAxyz fs.s3a.access.key = ABCD1234 region=eu"))
                .isEqualTo("fs.s3a.secret.key=**** fs.s3a.access.key = **** region=eu");
        assertThat(Redactor.redact("{\"apiToken\": \"t0k3n-value\", \"user\": \"ann\"}"))
                .isEqualTo("{\"apiToken\": \"****\", \"user\": \"ann\"}");
        assertThat(Redactor.redact("PGPASSWORD=abcd; CREDENTIALS: xyz")).isEqualTo("PGPASSWORD=****; CREDENTIALS: ****");
        assertThat(Redactor.redact("sasl.jaas.config=PlainLoginModule")).isEqualTo("sasl.jaas.config=****");
        assertThat(Redactor.redact("Authorization: Bearer abc.def-ghi")).isEqualTo("Authorization: Bearer ****");
    }

    @Test
    void keepsNamesThatOnlyLookLikeSecrets() {
        assertThat(Redactor.redact("kafka://b:9092/t?keyColumn=word&keys=id")).isEqualTo("kafka://b:9092/t?keyColumn=word&keys=id");
        assertThat(Redactor.redact("key=user-7 value=hello")).isEqualTo("key=user-7 value=hello");
        assertThat(Redactor.redact("the token was missing")).isEqualTo("the token was missing");
        assertThat(Redactor.redact("served without a token: set KINDLING_AUTH_TOKEN")).isEqualTo("served without a token: set KINDLING_AUTH_TOKEN");
        assertThat(Redactor.redact("db.password: hunter22 and api_key: abcd")).isEqualTo("db.password: **** and api_key: ****");
    }

    @Test
    void hidesRegisteredSecretsWhereverTheyAppear() {
        Redactor.register("Wh1sper-Only-Here");
        Redactor.register("abc"); // too short to replace by value
        assertThat(Redactor.redact("No suitable driver found for jdbc:weird:Wh1sper-Only-Here/x; abc"))
                .isEqualTo("No suitable driver found for jdbc:weird:****/x; abc");
    }

    @Test
    void aRegisteredSecretInsideALongerWordIsLeftAlone() {
        Redactor.register("postgres");
        assertThat(Redactor.redact("cannot connect to jdbc:postgresql://127.0.0.1:1/x as postgres (password postgres)"))
                .isEqualTo("cannot connect to jdbc:postgresql://127.0.0.1:1/x as **** (password ****)");
        assertThat(Redactor.redact("postgres,postgres")).isEqualTo("****,****");
    }

    @Test
    void kindlingExceptionsCarryRedactedMessages() {
        assertThat(new ConfigurationException("bad URL jdbc:postgresql://u:pw12345@h/db").getMessage())
                .isEqualTo("bad URL jdbc:postgresql://u:****@h/db");
        Redactor.register("pw-registered-1");
        assertThat(Failures.summary(new RuntimeException("outer", new IllegalStateException("inner pw-registered-1"))))
                .isEqualTo("outer (cause: inner ****)");
    }
}
