package fi.kanava.auth;

/** What frames and messages say of a principal: their name (null if unknown) and, for accounts, their role. */
public record Profile(String name, String role) {}
