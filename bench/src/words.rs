//! Word pools for realistic synthetic entries: name syllables, places, reason phrases and the
//! licence texts of the BIS Entity List.

/// Countries an entry can be located in, with their weight (out of 100).
pub const COUNTRIES: &[(&str, u32)] = &[
    ("CN", 38),
    ("RU", 16),
    ("HK", 8),
    ("IR", 8),
    ("AE", 5),
    ("TR", 3),
    ("PK", 4),
    ("BY", 3),
    ("SG", 2),
    ("SY", 2),
    ("KP", 1),
    ("MM", 2),
    ("MY", 2),
    ("AM", 2),
    ("UZ", 2),
    ("KG", 2),
];

/// Cities of a country as (city, state or province, postal code digits).
pub fn cities(country: &str) -> &'static [(&'static str, &'static str)] {
    match country {
        "CN" => &[
            ("Beijing", "Beijing"),
            ("Shanghai", "Shanghai"),
            ("Shenzhen", "Guangdong"),
            ("Guangzhou", "Guangdong"),
            ("Chengdu", "Sichuan"),
            ("Wuhan", "Hubei"),
            ("Xi'an", "Shaanxi"),
            ("Hangzhou", "Zhejiang"),
            ("Nanjing", "Jiangsu"),
            ("Harbin", "Heilongjiang"),
            ("Tianjin", "Tianjin"),
            ("Changsha", "Hunan"),
            ("Mianyang", "Sichuan"),
            ("Xiamen", "Fujian"),
        ],
        "HK" => &[
            ("Kowloon", "Hong Kong"),
            ("Wan Chai", "Hong Kong"),
            ("Kwun Tong", "Kowloon"),
            ("Tsim Sha Tsui", "Kowloon"),
            ("Sheung Wan", "Hong Kong"),
        ],
        "RU" => &[
            ("Moscow", "Moscow"),
            ("Saint Petersburg", "Leningrad Oblast"),
            ("Yekaterinburg", "Sverdlovsk Oblast"),
            ("Novosibirsk", "Novosibirsk Oblast"),
            ("Kazan", "Tatarstan"),
            ("Nizhny Novgorod", "Nizhny Novgorod Oblast"),
            ("Samara", "Samara Oblast"),
            ("Tula", "Tula Oblast"),
            ("Zelenograd", "Moscow"),
        ],
        "IR" => &[
            ("Tehran", "Tehran Province"),
            ("Isfahan", "Isfahan Province"),
            ("Shiraz", "Fars Province"),
            ("Tabriz", "East Azerbaijan"),
            ("Mashhad", "Razavi Khorasan"),
            ("Karaj", "Alborz Province"),
        ],
        "AE" => &[
            ("Dubai", "Dubai"),
            ("Sharjah", "Sharjah"),
            ("Abu Dhabi", "Abu Dhabi"),
            ("Ajman", "Ajman"),
        ],
        "TR" => &[
            ("Istanbul", "Istanbul"),
            ("Ankara", "Ankara"),
            ("Antalya", "Antalya"),
            ("Izmir", "Izmir"),
        ],
        "PK" => &[
            ("Karachi", "Sindh"),
            ("Lahore", "Punjab"),
            ("Islamabad", "Islamabad Capital Territory"),
            ("Rawalpindi", "Punjab"),
        ],
        "BY" => &[
            ("Minsk", "Minsk Region"),
            ("Gomel", "Gomel Region"),
            ("Vitebsk", "Vitebsk Region"),
        ],
        "SG" => &[("Singapore", "Central Region"), ("Jurong", "West Region")],
        "SY" => &[
            ("Damascus", "Damascus"),
            ("Aleppo", "Aleppo"),
            ("Latakia", "Latakia"),
        ],
        "KP" => &[("Pyongyang", "Pyongyang"), ("Nampo", "South Pyongan")],
        "MM" => &[
            ("Yangon", "Yangon Region"),
            ("Naypyidaw", "Naypyidaw Union Territory"),
        ],
        "MY" => &[("Kuala Lumpur", "Federal Territory"), ("Penang", "Penang")],
        "AM" => &[("Yerevan", "Yerevan"), ("Gyumri", "Shirak")],
        "UZ" => &[("Tashkent", "Tashkent"), ("Samarkand", "Samarkand Region")],
        _ => &[("Bishkek", "Chuy Region"), ("Osh", "Osh Region")],
    }
}

/// Syllables of Chinese-style names.
pub const CN_SYLLABLES: &[&str] = &[
    "hua", "xin", "tian", "long", "zhong", "ke", "da", "heng", "sheng", "jia", "rui", "bo", "hai",
    "feng", "guang", "jin", "tai", "yuan", "an", "kang", "wei", "xun", "chuang", "ming", "yu",
    "cheng", "hong", "li", "tong", "xing", "de", "fu", "qi", "shen", "ying", "zhi", "chang", "jun",
];

/// Chinese surnames.
pub const CN_SURNAMES: &[&str] = &[
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma",
    "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo",
];

/// Roots of Russian-style names.
pub const RU_ROOTS: &[&str] = &[
    "tekh", "prom", "mash", "stroy", "energo", "avia", "radio", "elektro", "neft", "gaz", "sib",
    "ural", "volga", "ros", "spets", "opto", "mikro", "kom", "tel", "trans", "ark", "sever",
    "zvezda", "pribor", "servis", "impex", "lab", "invest",
];

/// Russian first names and surnames.
pub const RU_FIRST: &[&str] = &[
    "Ivan", "Sergey", "Dmitry", "Alexey", "Andrey", "Nikolai", "Oleg", "Pavel", "Mikhail", "Yuri",
    "Vladimir", "Igor", "Artem", "Maxim",
];
pub const RU_SURNAMES: &[&str] = &[
    "Sokolov",
    "Ivanov",
    "Petrov",
    "Volkov",
    "Morozov",
    "Kuznetsov",
    "Orlov",
    "Belov",
    "Lebedev",
    "Kozlov",
    "Novikov",
    "Fedorov",
    "Zaitsev",
    "Pavlov",
    "Semenov",
];

/// Iranian-style name words.
pub const IR_WORDS: &[&str] = &[
    "Pars", "Sanat", "Kish", "Arya", "Tadbir", "Farayand", "Pishro", "Sepehr", "Nasr", "Behsaz",
    "Kavosh", "Negin", "Rayan", "Faraz", "Tavan", "Mehr", "Saba", "Asia", "Hamoon", "Sina", "Toos",
    "Kimia", "Atlas", "Petro",
];
pub const IR_FIRST: &[&str] = &[
    "Mohammad", "Ali", "Reza", "Hossein", "Mahdi", "Hamid", "Saeed", "Abbas", "Majid", "Mehdi",
    "Javad", "Morteza",
];
pub const IR_SURNAMES: &[&str] = &[
    "Karimi", "Rahimi", "Hosseini", "Ahmadi", "Moradi", "Jafari", "Rezaei", "Sadeghi", "Tehrani",
    "Shirazi", "Ghorbani", "Bagheri", "Kazemi", "Nouri",
];

/// Syllables for names elsewhere (trading companies, front companies).
pub const OTHER_SYLLABLES: &[&str] = &[
    "al", "far", "nor", "tek", "star", "gal", "max", "tra", "zen", "vel", "kor", "sol", "mar",
    "dex", "lin", "rox", "tan", "via", "ori", "cas", "pen", "ari", "bel", "nex",
];
pub const OTHER_FIRST: &[&str] = &[
    "Ahmed", "Omar", "Khalid", "Hasan", "Mehmet", "Murat", "Tariq", "Imran", "Aung", "Kyaw",
    "Aram", "Rustam", "Timur", "Azamat",
];
pub const OTHER_SURNAMES: &[&str] = &[
    "Khan",
    "Yilmaz",
    "Demir",
    "Sharif",
    "Rahman",
    "Htun",
    "Naing",
    "Petrosyan",
    "Karimov",
    "Usmanov",
    "Aliyev",
    "Hussain",
    "Al-Hashimi",
    "Celik",
];

/// Industry words of company names.
pub const INDUSTRIES: &[&str] = &[
    "Technology",
    "Electronics",
    "Optoelectronics",
    "Microelectronics",
    "Aerospace",
    "Precision Machinery",
    "Semiconductor",
    "Communication",
    "Instruments",
    "Materials",
    "Logistics",
    "Trading",
    "Engineering",
    "Photonics",
    "Information",
    "Intelligent Systems",
    "Navigation",
    "Shipbuilding",
    "Radar",
    "Chemical",
];

/// Street kinds.
pub const STREETS: &[&str] = &[
    "Road",
    "Street",
    "Avenue",
    "Lane",
    "Boulevard",
    "Highway",
    "Industrial Park",
    "Science Park",
];

/// How a reason sentence opens.
pub const LEADS: &[&str] = &[
    "Acquiring",
    "Attempting to acquire",
    "Procuring",
    "Supplying",
    "Diverting",
    "Facilitating the procurement of",
    "Transshipping",
    "Brokering the sale of",
    "Developing and producing",
    "Providing support for the export of",
    "Reexporting",
    "Arranging the shipment of",
    "Purchasing on behalf of others",
    "Concealing the end users of",
];

/// What the reason is about.
pub const OBJECTS: &[&str] = &[
    "U.S.-origin items",
    "items subject to the EAR",
    "dual-use electronic components",
    "advanced computing items",
    "high-performance integrated circuits",
    "unmanned aerial vehicle components",
    "semiconductor manufacturing equipment",
    "quantum computing technology",
    "navigation and guidance systems",
    "machine tools and precision bearings",
    "encryption software and hardware",
    "radio frequency modules",
    "aircraft parts and components",
    "night vision and thermal imaging devices",
    "carbon fiber and specialty materials",
    "oscilloscopes and signal analyzers",
    "field programmable gate arrays",
    "surveillance cameras and facial recognition software",
    "marine engines and propulsion systems",
    "lithium batteries and power supplies",
];

/// Why it matters.
pub const PURPOSES: &[&str] = &[
    "in support of military modernization efforts",
    "for military end uses",
    "to entities on the Entity List",
    "for weapons of mass destruction programs",
    "for the development of ballistic missiles",
    "in support of the People's Liberation Army",
    "to the Russian defense industrial base",
    "to the Islamic Revolutionary Guard Corps",
    "for use in hypersonic weapons research",
    "for unmanned aerial vehicles used against Ukraine",
    "without the required licenses",
    "through a network of front companies",
    "for nuclear explosive activities",
    "for unsafeguarded nuclear activities",
    "in support of the military-intelligence end users",
    "to destinations subject to comprehensive embargoes",
    "for the surveillance of ethnic minorities",
    "in violation of the Export Administration Regulations",
];

/// Closing sentences.
pub const CLOSINGS: &[&str] = &[
    "These activities are contrary to the national security and foreign policy interests of the United States.",
    "The entity has been determined to pose a significant risk of becoming involved in such activities.",
    "This conduct falls within the scope of section 744.11(b) of the EAR.",
    "The End-User Review Committee determined that the entity acted on behalf of listed parties.",
    "There is reasonable cause to believe that the entity will continue these activities.",
    "The entity repeatedly misrepresented the ultimate consignee and end use of the items.",
];

/// Further words used when a reason is reworded.
pub const EXTRA_WORDS: &[&str] = &[
    "allegedly",
    "repeatedly",
    "knowingly",
    "additional",
    "foreign",
    "covert",
    "sensitive",
    "controlled",
    "military",
    "commercial",
    "sophisticated",
    "critical",
    "strategic",
    "illicit",
    "indirect",
    "unauthorized",
    "prohibited",
    "significant",
    "ongoing",
    "related",
    "affiliated",
    "subsidiary",
    "intermediary",
    "consignee",
    "distributor",
    "manufacturer",
    "shipments",
    "transactions",
    "procurement",
    "technology",
    "components",
    "equipment",
    "software",
    "networks",
    "programs",
    "capabilities",
    "operations",
    "activities",
    "entities",
    "parties",
    "government",
    "agencies",
    "institutes",
    "universities",
    "laboratories",
    "facilities",
    "including",
    "involving",
    "regarding",
    "concerning",
    "through",
    "via",
    "and",
    "or",
    "of",
    "for",
    "to",
    "the",
    "its",
    "their",
];

/// Licence requirements (the first is by far the most common).
pub const LICENSE_REQUIREMENTS: &[&str] = &[
    "For all items subject to the EAR. (See §744.11 of the EAR).",
    "For all items subject to the EAR. (See §§ 734.9(e)(2) and 744.11 of the EAR).",
    "For all items subject to the EAR, including foreign-produced items subject to the EAR under § 734.9(g). (See §§ 734.9(g), 746.8(a)(3), and 744.21 of the EAR).",
    "For all items subject to the EAR. (See §§ 734.9(e), 744.11 and 744.21 of the EAR).",
];

/// Licence review policies.
pub const LICENSE_POLICIES: &[&str] = &[
    "Presumption of denial.",
    "Case-by-case review for ECCNs 1A004.c, 1A004.d, 1A995, 1A999.a, 1D003, 2A983, 2D983, and 2E983; presumption of denial for all other items subject to the EAR.",
    "Case-by-case review for items necessary to detect, identify and treat infectious disease; presumption of denial for all other items subject to the EAR.",
    "Policy of denial for all items subject to the EAR apart from food and medicine designated as EAR99.",
    "Case-by-case review.",
    "Presumption of denial, except for items classified under ECCN 5A992.c or 5D992.c, which will be reviewed on a case-by-case basis.",
];
