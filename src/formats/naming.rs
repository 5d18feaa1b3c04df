//! The one rule that turns a publisher's field name into an `extra` key.
//!
//! [`snake_case`]: words are runs of letters and digits; every other character separates
//! words. Inside a run, a word starts at a capital that follows a small letter or a digit
//! (`idCountry` → `id_country`, `countryIso2Code` → `country_iso2_code`), or at the last
//! capital of a run of capitals followed by a small letter (`UKStatement` → `uk_statement`,
//! `OFSIGroupID` → `ofsi_group_id`). Words are joined with `_`, in small letters.
//!
//! Four rules did this before, one per publisher (OFAC XML, OpenSanctions, EU FSF, UK). On
//! every field name the formats meet in their fixtures and in the real published files, this
//! rule gives exactly their keys: the golden table in the tests below pins each name with the
//! key it is stored under, so a stored key cannot change unnoticed. (The old rules differed
//! only on shapes no publisher writes: OFAC's joined a run of capitals with the word after it,
//! `ABCDef` → `abcdef`; OpenSanctions' split every capital, `ABC` → `a_b_c`, and kept other
//! characters; EU's kept characters other than `_`; UK's split at letters outside ASCII.)

/// The `extra` key of a publisher's field name (see the module documentation).
pub(crate) fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            continue;
        }
        if c.is_uppercase() && !out.is_empty() && !out.ends_with('_') {
            let previous = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
            let next = chars.get(i + 1).copied();
            let after_small = previous.is_some_and(|p| p.is_lowercase() || p.is_numeric());
            let ends_capitals =
                previous.is_some_and(char::is_uppercase) && next.is_some_and(char::is_lowercase);
            if after_small || ends_capitals {
                out.push('_');
            }
        }
        out.extend(c.to_lowercase());
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every publisher field name the formats turn into a key, from their fixtures and the real
    /// files in ../shared/data/real, with the key it is stored under.
    const GOLDEN: &[(&str, &str)] = &[
        // ofac-xml, ofac-advanced-xml
        (
            "Additional Sanctions Information -",
            "additional_sanctions_information",
        ),
        (
            "Digital Currency Address - XBT",
            "digital_currency_address_xbt",
        ),
        ("Expiration Date", "expiration_date"),
        ("Gender", "gender"),
        ("Place of Birth", "place_of_birth"),
        ("VESSEL TYPE", "vessel_type"),
        ("Website", "website"),
        ("addressList", "address_list"),
        ("akaList", "aka_list"),
        ("citizenshipList", "citizenship_list"),
        ("dateOfBirthList", "date_of_birth_list"),
        ("idCountry", "id_country"),
        ("idList", "id_list"),
        ("nationalityList", "nationality_list"),
        ("placeOfBirthList", "place_of_birth_list"),
        ("programList", "program_list"),
        ("title", "title"),
        ("vesselInfo", "vessel_info"),
        // eu-fsf-xml, eu-fsf-csv
        ("AsAtListingTime", "as_at_listing_time"),
        ("BirthDate", "birth_date"),
        ("CalendarType", "calendar_type"),
        ("Circa", "circa"),
        ("City", "city"),
        ("ContactInfo", "contact_info"),
        ("CountryDescription", "country_description"),
        ("CountryIso2Code", "country_iso2_code"),
        ("Day", "day"),
        ("DesignationDate", "designation_date"),
        ("DesignationDetails", "designation_details"),
        ("Diplomatic", "diplomatic"),
        ("EU_ReferenceNumber", "eu_reference_number"),
        ("EntryIntoForceDate", "entry_into_force_date"),
        ("FirstName", "first_name"),
        ("Function", "function"),
        ("Gender", "gender"),
        ("IssuedBy", "issued_by"),
        ("IssuedDate", "issued_date"),
        ("KnownExpired", "known_expired"),
        ("KnownFalse", "known_false"),
        ("LastName", "last_name"),
        ("LatinNumber", "latin_number"),
        ("LogicalId", "logical_id"),
        ("MiddleName", "middle_name"),
        ("Month", "month"),
        ("NameLanguage", "name_language"),
        ("NameOnDocument", "name_on_document"),
        ("Number", "number"),
        ("NumberTitle", "number_title"),
        ("OrganisationType", "organisation_type"),
        ("Place", "place"),
        ("PoBox", "po_box"),
        ("Programme", "programme"),
        ("PublicationDate", "publication_date"),
        ("PublicationUrl", "publication_url"),
        ("Region", "region"),
        ("RegulationLanguage", "regulation_language"),
        ("Remark", "remark"),
        ("ReportedLost", "reported_lost"),
        ("RevokedByIssuer", "revoked_by_issuer"),
        ("Street", "street"),
        ("Title", "title"),
        ("Type", "type"),
        ("TypeCode", "type_code"),
        ("TypeDescription", "type_description"),
        ("UN_ReferenceNumber", "un_reference_number"),
        ("UnitedNationId", "united_nation_id"),
        ("ValidFrom", "valid_from"),
        ("ValidTo", "valid_to"),
        ("WholeName", "whole_name"),
        ("Year", "year"),
        ("YearRangeFrom", "year_range_from"),
        ("YearRangeTo", "year_range_to"),
        ("ZipCode", "zip_code"),
        ("a", "a"),
        ("asAtListingTime", "as_at_listing_time"),
        ("b", "b"),
        ("birthdate", "birthdate"),
        ("calendarType", "calendar_type"),
        ("circa", "circa"),
        ("city", "city"),
        ("classificationCode", "classification_code"),
        ("countryDescription", "country_description"),
        ("countryIso2Code", "country_iso2_code"),
        ("dayOfMonth", "day_of_month"),
        ("designationDate", "designation_date"),
        ("designationDetails", "designation_details"),
        ("diplomatic", "diplomatic"),
        ("entryIntoForceDate", "entry_into_force_date"),
        ("euReferenceNumber", "eu_reference_number"),
        ("firstName", "first_name"),
        ("function", "function"),
        ("gender", "gender"),
        ("identificationTypeCode", "identification_type_code"),
        (
            "identificationTypeDescription",
            "identification_type_description",
        ),
        ("issuedBy", "issued_by"),
        ("knownExpired", "known_expired"),
        ("knownFalse", "known_false"),
        ("lastName", "last_name"),
        ("latinNumber", "latin_number"),
        ("logicalId", "logical_id"),
        ("middleName", "middle_name"),
        ("monthOfYear", "month_of_year"),
        ("nameLanguage", "name_language"),
        ("nameOnDocument", "name_on_document"),
        ("number", "number"),
        ("numberTitle", "number_title"),
        ("organisationType", "organisation_type"),
        ("place", "place"),
        ("poBox", "po_box"),
        ("programme", "programme"),
        ("publicationDate", "publication_date"),
        ("publicationUrl", "publication_url"),
        ("region", "region"),
        ("regulationLanguage", "regulation_language"),
        ("regulationType", "regulation_type"),
        ("remark", "remark"),
        ("reportedLost", "reported_lost"),
        ("revokedByIssuer", "revoked_by_issuer"),
        ("street", "street"),
        ("strong", "strong"),
        ("title", "title"),
        ("unitedNationId", "united_nation_id"),
        ("wholeName", "whole_name"),
        ("year", "year"),
        ("zipCode", "zip_code"),
        // uk-fcdo-csv, uk-fcdo-xml, uk-ofsi-csv
        (
            "Business registration number (s)",
            "business_registration_number_s",
        ),
        ("BusinessRegistrationNumber", "business_registration_number"),
        ("Country of Birth", "country_of_birth"),
        ("Country of birth", "country_of_birth"),
        ("CountryOfBirth", "country_of_birth"),
        (
            "Current believed flag of ship",
            "current_believed_flag_of_ship",
        ),
        ("Current owner/operator (s)", "current_owner_operator_s"),
        ("CurrentBelievedFlagOfShip", "current_believed_flag_of_ship"),
        ("CurrentOwnerOperator", "current_owner_operator"),
        ("D.O.B", "d_o_b"),
        ("DOB", "dob"),
        ("Designation source", "designation_source"),
        ("DesignationSource", "designation_source"),
        ("Email address", "email_address"),
        ("EmailAddress", "email_address"),
        ("Gender", "gender"),
        (
            "Hull identification number (HIN)",
            "hull_identification_number_hin",
        ),
        ("HullIdentificationNumber", "hull_identification_number"),
        ("IMO number", "imo_number"),
        ("IMONumber", "imo_number"),
        ("Last Updated", "last_updated"),
        ("LastUpdated", "last_updated"),
        ("Length of ship", "length_of_ship"),
        ("LengthOfShip", "length_of_ship"),
        ("NI Number", "ni_number"),
        ("Name Non-Latin Script", "name_non_latin_script"),
        ("Name non-latin script", "name_non_latin_script"),
        ("NameNonLatinScript", "name_non_latin_script"),
        (
            "National Identification Details",
            "national_identification_details",
        ),
        (
            "National Identification Number",
            "national_identification_number",
        ),
        (
            "National Identifier additional information",
            "national_identifier_additional_information",
        ),
        ("National Identifier number", "national_identifier_number"),
        (
            "NationalIdentifierAdditionalInformation",
            "national_identifier_additional_information",
        ),
        ("NationalIdentifierNumber", "national_identifier_number"),
        ("Nationality", "nationality"),
        ("Nationality(/ies)", "nationality_ies"),
        ("Non-Latin Script Language", "non_latin_script_language"),
        ("Non-Latin Script Type", "non_latin_script_type"),
        ("Non-latin script language", "non_latin_script_language"),
        ("Non-latin script type", "non_latin_script_type"),
        ("NonLatinScriptLanguage", "non_latin_script_language"),
        ("NonLatinScriptType", "non_latin_script_type"),
        ("OFSI Group ID", "ofsi_group_id"),
        ("OFSIGroupID", "ofsi_group_id"),
        ("Other Information", "other_information"),
        ("OtherInformation", "other_information"),
        ("Parent company", "parent_company"),
        ("ParentCompany", "parent_company"),
        ("Passport Details", "passport_details"),
        ("Passport Number", "passport_number"),
        (
            "Passport additional information",
            "passport_additional_information",
        ),
        ("Passport number", "passport_number"),
        (
            "PassportAdditionalInformation",
            "passport_additional_information",
        ),
        ("PassportNumber", "passport_number"),
        ("Phone number", "phone_number"),
        ("PhoneNumber", "phone_number"),
        ("Position", "position"),
        ("Previous flags", "previous_flags"),
        ("Previous owner/operator (s)", "previous_owner_operator_s"),
        ("PreviousFlag", "previous_flag"),
        ("PreviousOwnerOperator", "previous_owner_operator"),
        ("Subsidiaries", "subsidiaries"),
        ("Subsidiary", "subsidiary"),
        ("Title", "title"),
        ("Tonnage of ship", "tonnage_of_ship"),
        ("TonnageOfShip", "tonnage_of_ship"),
        ("Town of Birth", "town_of_birth"),
        ("Town of birth", "town_of_birth"),
        ("TownOfBirth", "town_of_birth"),
        ("Type of entity", "type_of_entity"),
        ("Type of ship", "type_of_ship"),
        ("TypeOfEntity", "type_of_entity"),
        ("TypeOfShip", "type_of_ship"),
        (
            "UK Sanctions List Date Designated",
            "uk_sanctions_list_date_designated",
        ),
        ("UK Sanctions List Ref", "uk_sanctions_list_ref"),
        ("UN Reference Number", "un_reference_number"),
        ("UNReferenceNumber", "un_reference_number"),
        ("Website", "website"),
        ("Year Built", "year_built"),
        ("YearBuilt", "year_built"),
        // ftm-json, ftm-delta
        ("addressEntity", "address_entity"),
        ("authority", "authority"),
        ("birthCountry", "birth_country"),
        ("birthDate", "birth_date"),
        ("birthPlace", "birth_place"),
        ("city", "city"),
        ("createdAt", "created_at"),
        ("description", "description"),
        ("entity", "entity"),
        ("fatherName", "father_name"),
        ("firstName", "first_name"),
        ("gender", "gender"),
        ("lastName", "last_name"),
        ("listingDate", "listing_date"),
        ("middleName", "middle_name"),
        ("modifiedAt", "modified_at"),
        ("name", "name"),
        ("position", "position"),
        ("registrationNumber", "registration_number"),
        ("secondName", "second_name"),
        ("sourceUrl", "source_url"),
        ("startDate", "start_date"),
        ("taxNumber", "tax_number"),
        ("title", "title"),
        ("topics", "topics"),
    ];

    #[test]
    fn every_known_field_name_keeps_its_stored_key() {
        let wrong: Vec<String> = GOLDEN
            .iter()
            .filter(|(name, key)| snake_case(name) != *key)
            .map(|(name, key)| format!("{name:?}: stored as {key:?}, now {:?}", snake_case(name)))
            .collect();
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn the_rule() {
        assert_eq!(snake_case("idCountry"), "id_country");
        assert_eq!(snake_case("Publish_Date"), "publish_date");
        assert_eq!(snake_case("Place of Birth"), "place_of_birth");
        assert_eq!(
            snake_case("Additional Sanctions Information -"),
            "additional_sanctions_information"
        );
        assert_eq!(snake_case("VESSEL TYPE"), "vessel_type");
        assert_eq!(snake_case("UKStatementofReasons"), "uk_statementof_reasons");
        assert_eq!(snake_case("EU_ReferenceNumber"), "eu_reference_number");
        assert_eq!(snake_case("countryIso2Code"), "country_iso2_code");
        assert_eq!(snake_case("Nationality(/ies)"), "nationality_ies");
        assert_eq!(snake_case("__a__b__"), "a_b");
        assert_eq!(snake_case("Çaliş Adı"), "çaliş_adı");
        assert_eq!(snake_case(""), "");
        assert_eq!(snake_case("-"), "");
    }
}
