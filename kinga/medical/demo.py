"""Demo medical registers of the Cameroonian scheme: ~150 medical services (soins / actes), ~300
medical items (produits médicaux: médicaments et consommables) with FCFA prices, a national
price list of each kind with every member, and a Mfoundi district services list with some
prices overridden.  Idempotent: codes and price-list names that exist are skipped.
Everything goes through the services, so every row has its history naming `actor`."""

from __future__ import annotations

import datetime
from decimal import Decimal

from kinga.core.registers import ALL_PATIENTS
from kinga.medical.services import catalogue as catalogue_services
from kinga.medical.services import pricelists as pricelist_services

from .models import Item, Service

# Patient categories: 1 man, 2 woman, 4 adult, 8 child.
ALL = ALL_PATIENTS
WOMEN = 2 | 4 | 8  # girls and women
MOTHERS = 2 | 4  # adult women
ADULTS = 1 | 2 | 4
CHILDREN = 1 | 2 | 8
MEN = 1 | 4

# (code, name, type P/C, level S/V/D/H, category, price FCFA, care type O/I/B, patients, days)
SERVICES: list[tuple] = [
    # Consultations
    ("CG01", "Consultation générale (médecin)", "C", "V", "C", 2000, "O", ALL, 0),
    ("CG02", "Consultation générale (infirmier)", "C", "V", "C", 1000, "O", ALL, 0),
    ("CG03", "Consultation de l'enfant de moins de 5 ans", "C", "V", "C", 1000, "O", CHILDREN, 0),
    ("CG04", "Consultation de contrôle", "C", "V", "C", 1000, "O", ALL, 0),
    ("CG05", "Consultation d'urgence", "C", "V", "C", 3000, "B", ALL, 0),
    ("CG06", "Consultation de nuit ou de week-end", "C", "V", "C", 3000, "B", ALL, 0),
    ("CG07", "Consultation de suivi PVVIH", "C", "V", "C", 1000, "O", ALL, 30),
    ("CG08", "Consultation de suivi tuberculose", "C", "V", "C", 1000, "O", ALL, 30),
    ("CG09", "Consultation nutritionnelle (malnutrition)", "C", "V", "C", 1000, "O", ALL, 0),
    ("CG10", "Consultation dentaire", "C", "V", "C", 3000, "O", ALL, 0),
    ("CS01", "Consultation spécialisée de gynécologie", "C", "V", "C", 5000, "O", WOMEN, 0),
    ("CS02", "Consultation spécialisée de pédiatrie", "C", "V", "C", 5000, "O", CHILDREN, 0),
    ("CS03", "Consultation spécialisée de médecine interne", "C", "V", "C", 5000, "O", ALL, 0),
    ("CS04", "Consultation spécialisée de chirurgie", "C", "V", "C", 5000, "O", ALL, 0),
    ("CS05", "Consultation spécialisée de cardiologie", "C", "V", "C", 7500, "O", ALL, 0),
    ("CS06", "Consultation spécialisée d'ophtalmologie", "C", "V", "C", 5000, "O", ALL, 0),
    ("CS07", "Consultation spécialisée d'ORL", "C", "V", "C", 5000, "O", ALL, 0),
    ("CS08", "Consultation spécialisée de dermatologie", "C", "V", "C", 5000, "O", ALL, 0),
    ("CS09", "Consultation spécialisée de psychiatrie", "C", "V", "C", 5000, "O", ALL, 0),
    ("CS10", "Consultation spécialisée de neurologie", "C", "V", "C", 7500, "O", ALL, 0),
    ("CS11", "Consultation spécialisée d'urologie", "C", "V", "C", 5000, "O", ALL, 0),
    ("CS12", "Consultation spécialisée de traumatologie", "C", "V", "C", 5000, "O", ALL, 0),
    ("CS13", "Consultation spécialisée de gastro-entérologie", "C", "V", "C", 7500, "O", ALL, 0),
    ("CS14", "Consultation spécialisée de pneumologie", "C", "V", "C", 7500, "O", ALL, 0),
    ("CS15", "Consultation spécialisée d'endocrinologie", "C", "V", "C", 7500, "O", ALL, 0),
    ("CS16", "Consultation spécialisée de néphrologie", "C", "V", "C", 7500, "O", ALL, 0),
    # Visits
    ("VD01", "Visite à domicile", "C", "V", "V", 3000, "O", ALL, 0),
    ("VD02", "Visite de suivi communautaire (ASC)", "P", "V", "V", 500, "O", ALL, 0),
    ("VD03", "Visite du médecin en salle d'hospitalisation", "C", "V", "V", 1500, "I", ALL, 1),
    # Antenatal and postnatal care
    ("CPN1", "Consultation prénatale 1 (CPN1)", "P", "V", "A", 2000, "O", WOMEN, 0),
    ("CPN2", "Consultation prénatale 2 (CPN2)", "P", "V", "A", 2000, "O", WOMEN, 28),
    ("CPN3", "Consultation prénatale 3 (CPN3)", "P", "V", "A", 2000, "O", WOMEN, 28),
    ("CPN4", "Consultation prénatale 4 (CPN4)", "P", "V", "A", 2000, "O", WOMEN, 28),
    ("CPN5", "Consultation prénatale 5 à 8 (contacts OMS)", "P", "V", "A", 1500, "O", WOMEN, 14),
    ("CPON", "Consultation postnatale", "P", "V", "A", 1500, "O", WOMEN, 0),
    ("PTME", "Conseil et dépistage PTME", "P", "S", "A", 0, "O", WOMEN, 0),
    ("TPI", "Traitement préventif intermittent (TPI) supervisé", "P", "S", "A", 0, "O", WOMEN, 28),
    # Deliveries
    ("ACC01", "Accouchement eutocique", "C", "D", "D", 10000, "I", WOMEN, 0),
    ("ACC02", "Accouchement dystocique (voie basse)", "C", "H", "D", 25000, "I", WOMEN, 0),
    ("ACC03", "Accouchement gémellaire", "C", "H", "D", 20000, "I", WOMEN, 0),
    ("ACC04", "Accouchement par ventouse", "C", "H", "D", 20000, "I", WOMEN, 0),
    ("ACC05", "Épisiotomie et suture du périnée", "C", "S", "D", 5000, "I", WOMEN, 0),
    ("ACC06", "Délivrance artificielle et révision utérine", "C", "S", "D", 10000, "I", WOMEN, 0),
    ("ACC07", "Soins essentiels du nouveau-né", "P", "S", "D", 2000, "I", CHILDREN, 0),
    ("ACC08", "Réanimation du nouveau-né", "C", "S", "D", 5000, "I", CHILDREN, 0),
    # Surgery
    ("CHI01", "Césarienne", "C", "H", "S", 150000, "I", WOMEN, 0),
    ("CHI02", "Appendicectomie", "C", "H", "S", 100000, "I", ALL, 0),
    ("CHI03", "Cure de hernie inguinale", "C", "H", "S", 75000, "I", ALL, 0),
    ("CHI04", "Cure de hernie ombilicale", "C", "H", "S", 60000, "I", ALL, 0),
    ("CHI05", "Cure de hernie étranglée", "C", "H", "S", 120000, "I", ALL, 0),
    ("CHI06", "Laparotomie exploratrice", "C", "H", "S", 150000, "I", ALL, 0),
    ("CHI07", "Grossesse extra-utérine (GEU) opérée", "C", "H", "S", 120000, "I", MOTHERS, 0),
    ("CHI08", "Hystérectomie", "C", "H", "S", 200000, "I", MOTHERS, 0),
    ("CHI09", "Myomectomie", "C", "H", "S", 180000, "I", MOTHERS, 0),
    ("CHI10", "Kystectomie ovarienne", "C", "H", "S", 120000, "I", WOMEN, 0),
    (
        "CHI11",
        "Curetage ou aspiration manuelle intra-utérine (AMIU)",
        "C",
        "D",
        "S",
        15000,
        "B",
        WOMEN,
        0,
    ),
    ("CHI12", "Ligature des trompes", "P", "D", "S", 50000, "I", MOTHERS, 0),
    ("CHI13", "Vasectomie", "P", "D", "S", 30000, "B", MEN, 0),
    ("CHI14", "Circoncision", "C", "D", "S", 15000, "O", CHILDREN | 4, 0),
    ("CHI15", "Cure d'hydrocèle", "C", "H", "S", 60000, "I", 1 | 4 | 8, 0),
    ("CHI16", "Adénomectomie prostatique", "C", "H", "S", 250000, "I", MEN, 0),
    ("CHI17", "Thyroïdectomie", "C", "H", "S", 200000, "I", ALL, 0),
    ("CHI18", "Cholécystectomie", "C", "H", "S", 200000, "I", ALL, 0),
    ("CHI19", "Amputation de membre", "C", "H", "S", 150000, "I", ALL, 0),
    ("CHI20", "Réduction de fracture et plâtre", "C", "D", "S", 30000, "B", ALL, 0),
    ("CHI21", "Ostéosynthèse", "C", "H", "S", 250000, "I", ALL, 0),
    ("CHI22", "Opération de la cataracte", "C", "H", "S", 100000, "I", ALL, 0),
    ("CHI23", "Excision de lipome ou de kyste", "C", "D", "S", 15000, "O", ALL, 0),
    ("CHI24", "Drainage thoracique", "C", "H", "S", 40000, "I", ALL, 0),
    # Minor surgery and nursing care
    ("PCH01", "Suture de plaie simple", "C", "S", "O", 3000, "O", ALL, 0),
    ("PCH02", "Suture de plaie complexe", "C", "S", "O", 7500, "O", ALL, 0),
    ("PCH03", "Incision et drainage d'abcès", "C", "S", "O", 5000, "O", ALL, 0),
    ("PCH04", "Ablation de corps étranger", "C", "S", "O", 5000, "O", ALL, 0),
    ("PCH05", "Ablation d'ongle incarné", "C", "S", "O", 5000, "O", ALL, 0),
    ("PCH06", "Débridement de plaie", "C", "S", "O", 10000, "B", ALL, 0),
    ("PCH07", "Pansement simple", "C", "S", "O", 500, "B", ALL, 0),
    ("PCH08", "Pansement complexe (brûlure, ulcère)", "C", "S", "O", 1500, "B", ALL, 0),
    ("PCH09", "Ablation des fils", "C", "S", "O", 500, "O", ALL, 0),
    ("PCH10", "Pose de plâtre", "C", "S", "O", 15000, "B", ALL, 0),
    ("SOI01", "Injection intramusculaire ou intraveineuse (acte)", "C", "S", "O", 300, "B", ALL, 0),
    ("SOI02", "Pose de perfusion (acte)", "C", "S", "O", 1000, "B", ALL, 0),
    ("SOI03", "Sondage urinaire", "C", "S", "O", 2000, "B", ALL, 0),
    ("SOI04", "Pose de sonde nasogastrique", "C", "S", "O", 2000, "I", ALL, 0),
    ("SOI05", "Nébulisation (séance)", "C", "S", "O", 2000, "B", ALL, 0),
    ("SOI06", "Oxygénothérapie (par heure)", "C", "S", "O", 2000, "I", ALL, 0),
    ("SOI07", "Transfusion sanguine (par poche)", "C", "S", "O", 10000, "I", ALL, 0),
    ("SOI08", "Réhydratation par voie orale supervisée", "C", "S", "O", 500, "O", ALL, 0),
    ("SOI09", "Évacuation sanitaire en ambulance", "C", "S", "O", 25000, "B", ALL, 0),
    ("SOI10", "Séance d'hémodialyse", "C", "S", "O", 5000, "B", ADULTS, 2),
    ("SOI11", "Certificat médical", "C", "S", "O", 2000, "O", ALL, 0),
    # Hospitalisation
    ("HOS01", "Journée d'hospitalisation en médecine", "C", "D", "H", 2500, "I", ALL, 0),
    ("HOS02", "Journée d'hospitalisation en pédiatrie", "C", "D", "H", 2000, "I", CHILDREN, 0),
    ("HOS03", "Journée d'hospitalisation en chirurgie", "C", "D", "H", 3000, "I", ALL, 0),
    ("HOS04", "Journée d'hospitalisation en maternité", "C", "D", "H", 2500, "I", WOMEN, 0),
    ("HOS05", "Journée en soins intensifs / réanimation", "C", "D", "H", 15000, "I", ALL, 0),
    ("HOS06", "Hospitalisation de jour", "C", "D", "H", 5000, "I", ALL, 0),
    ("HOS07", "Journée en chambre d'isolement", "C", "D", "H", 5000, "I", ALL, 0),
    ("HOS08", "Journée en néonatologie (couveuse)", "C", "D", "H", 5000, "I", CHILDREN, 0),
    ("HOS09", "Mise en observation (moins de 24 heures)", "C", "D", "H", 2000, "B", ALL, 0),
    # Laboratory: HIV, tuberculosis, malaria
    ("VIH01", "Test de dépistage VIH", "P", "S", "O", 0, "O", ALL, 0),
    ("VIH02", "Test de confirmation VIH", "C", "S", "O", 2500, "O", ALL, 0),
    ("VIH03", "Charge virale VIH", "C", "S", "O", 15000, "O", ALL, 180),
    ("VIH04", "Numération des lymphocytes CD4", "C", "S", "O", 5000, "O", ALL, 90),
    (
        "VIH05",
        "PCR précoce du nourrisson (diagnostic précoce)",
        "C",
        "S",
        "O",
        15000,
        "O",
        CHILDREN,
        0,
    ),
    ("VIH06", "Test de résistance aux ARV (génotypage)", "C", "S", "O", 50000, "O", ALL, 365),
    ("VIH07", "Dosage de l'antigène cryptococcique (CrAg)", "C", "S", "O", 5000, "O", ALL, 0),
    ("TB01", "Recherche de BAAR dans les crachats", "C", "S", "O", 1000, "O", ALL, 0),
    ("TB02", "GeneXpert MTB/RIF", "C", "S", "O", 10000, "O", ALL, 0),
    ("PAL01", "Test de diagnostic rapide du paludisme (TDR)", "C", "S", "O", 500, "O", ALL, 0),
    ("PAL02", "Goutte épaisse", "C", "S", "O", 1000, "O", ALL, 0),
    ("PAL03", "Frottis sanguin", "C", "S", "O", 1000, "O", ALL, 0),
    # Laboratory: haematology, biochemistry, serology, others
    ("LAB01", "Numération formule sanguine (NFS)", "C", "S", "O", 3000, "O", ALL, 0),
    ("LAB02", "Vitesse de sédimentation (VS)", "C", "S", "O", 1000, "O", ALL, 0),
    ("LAB03", "Groupe sanguin et rhésus", "C", "S", "O", 1500, "O", ALL, 0),
    ("LAB04", "Test d'Emmel (drépanocytose)", "C", "S", "O", 1500, "O", ALL, 0),
    ("LAB05", "Électrophorèse de l'hémoglobine", "C", "S", "O", 8000, "O", ALL, 0),
    ("LAB06", "Taux de prothrombine et TCK", "C", "S", "O", 5000, "O", ALL, 0),
    ("LAB07", "Test de Coombs", "C", "S", "O", 4000, "O", ALL, 0),
    ("LAB08", "Glycémie", "C", "S", "O", 1000, "O", ALL, 0),
    ("LAB09", "Hémoglobine glyquée (HbA1c)", "C", "S", "O", 8000, "O", ALL, 90),
    ("LAB10", "Créatininémie", "C", "S", "O", 2000, "O", ALL, 0),
    ("LAB11", "Urémie", "C", "S", "O", 2000, "O", ALL, 0),
    ("LAB12", "Transaminases (ALAT, ASAT)", "C", "S", "O", 4000, "O", ALL, 0),
    ("LAB13", "Bilirubine totale et conjuguée", "C", "S", "O", 3000, "O", ALL, 0),
    ("LAB14", "Ionogramme sanguin", "C", "S", "O", 6000, "O", ALL, 0),
    ("LAB15", "Bilan lipidique", "C", "S", "O", 8000, "O", ALL, 0),
    ("LAB16", "Acide urique", "C", "S", "O", 2000, "O", ALL, 0),
    ("LAB17", "Protéine C réactive (CRP)", "C", "S", "O", 3000, "O", ALL, 0),
    ("LAB18", "Calcémie", "C", "S", "O", 2500, "O", ALL, 0),
    ("LAB19", "Antigène prostatique spécifique (PSA)", "C", "S", "O", 8000, "O", MEN, 0),
    ("LAB20", "TSH (bilan thyroïdien)", "C", "S", "O", 8000, "O", ALL, 0),
    ("LAB21", "Sérodiagnostic de Widal", "C", "S", "O", 2500, "O", ALL, 0),
    ("LAB22", "Sérologie de la syphilis (VDRL/TPHA)", "C", "S", "O", 2500, "O", ALL, 0),
    ("LAB23", "Antigène HBs (hépatite B)", "C", "S", "O", 3000, "O", ALL, 0),
    ("LAB24", "Anticorps anti-VHC (hépatite C)", "C", "S", "O", 4000, "O", ALL, 0),
    ("LAB25", "Sérologie de la toxoplasmose", "C", "S", "O", 5000, "O", WOMEN, 0),
    ("LAB26", "Sérologie de la rubéole", "C", "S", "O", 5000, "O", WOMEN, 0),
    ("LAB27", "Test de grossesse", "C", "S", "O", 1000, "O", WOMEN, 0),
    ("LAB28", "Examen cytobactériologique des urines (ECBU)", "C", "S", "O", 5000, "O", ALL, 0),
    ("LAB29", "Bandelette urinaire (albumine, sucre)", "C", "S", "O", 500, "O", ALL, 0),
    ("LAB30", "Examen parasitologique des selles", "C", "S", "O", 1000, "O", ALL, 0),
    ("LAB31", "Hémoculture", "C", "S", "O", 10000, "I", ALL, 0),
    ("LAB32", "Examen du liquide céphalo-rachidien", "C", "S", "O", 5000, "I", ALL, 0),
    ("LAB33", "Prélèvement vaginal", "C", "S", "O", 4000, "O", WOMEN, 0),
    ("LAB34", "Spermogramme", "C", "S", "O", 8000, "O", MEN, 0),
    # Imaging and functional tests
    ("IMG01", "Échographie obstétricale", "C", "S", "O", 7500, "O", WOMEN, 0),
    ("IMG02", "Échographie pelvienne", "C", "S", "O", 10000, "O", WOMEN, 0),
    ("IMG03", "Échographie abdominale", "C", "S", "O", 10000, "O", ALL, 0),
    ("IMG04", "Échographie cardiaque", "C", "S", "O", 25000, "O", ALL, 0),
    ("IMG05", "Échographie prostatique", "C", "S", "O", 10000, "O", MEN, 0),
    ("IMG06", "Échographie thyroïdienne", "C", "S", "O", 10000, "O", ALL, 0),
    ("IMG07", "Radiographie du thorax", "C", "S", "O", 7500, "O", ALL, 0),
    ("IMG08", "Radiographie du bassin", "C", "S", "O", 10000, "O", ALL, 0),
    ("IMG09", "Radiographie d'un membre", "C", "S", "O", 6000, "O", ALL, 0),
    ("IMG10", "Radiographie du crâne", "C", "S", "O", 8000, "O", ALL, 0),
    ("IMG11", "Radiographie du rachis", "C", "S", "O", 10000, "O", ALL, 0),
    ("IMG12", "Abdomen sans préparation (ASP)", "C", "S", "O", 8000, "O", ALL, 0),
    ("IMG13", "Hystérosalpingographie", "C", "S", "O", 25000, "O", MOTHERS, 0),
    ("IMG14", "Mammographie", "C", "S", "O", 20000, "O", MOTHERS, 0),
    ("IMG15", "Scanner cérébral", "C", "S", "O", 60000, "B", ALL, 0),
    ("IMG16", "Électrocardiogramme (ECG)", "C", "S", "O", 5000, "O", ALL, 0),
    # Vaccinations (PEV: vaccine free, the act is paid)
    ("VAC01", "Vaccination BCG", "P", "S", "O", 500, "O", CHILDREN, 0),
    ("VAC02", "Vaccination antipoliomyélitique (VPO / VPI)", "P", "S", "O", 500, "O", CHILDREN, 28),
    ("VAC03", "Vaccination pentavalente (DTC-HepB-Hib)", "P", "S", "O", 500, "O", CHILDREN, 28),
    ("VAC04", "Vaccination antipneumococcique (PCV13)", "P", "S", "O", 500, "O", CHILDREN, 28),
    ("VAC05", "Vaccination antirotavirus", "P", "S", "O", 500, "O", CHILDREN, 28),
    ("VAC06", "Vaccination rougeole-rubéole (RR)", "P", "S", "O", 500, "O", CHILDREN, 0),
    ("VAC07", "Vaccination antiamarile (fièvre jaune)", "P", "S", "O", 500, "O", ALL, 0),
    (
        "VAC08",
        "Vaccination antitétanique (Td) de la femme enceinte",
        "P",
        "S",
        "O",
        500,
        "O",
        WOMEN,
        28,
    ),
    ("VAC09", "Vaccination HPV", "P", "S", "O", 500, "O", WOMEN, 180),
    ("VAC10", "Vaccination contre l'hépatite B (adulte)", "P", "S", "O", 10000, "O", ADULTS, 28),
    ("VAC11", "Vaccination antiméningococcique", "P", "S", "O", 500, "O", ALL, 0),
    ("VAC12", "Vaccination antipaludique (RTS,S / R21)", "P", "S", "O", 500, "O", CHILDREN, 28),
    # Family planning
    ("PF01", "Conseil en planification familiale", "P", "S", "O", 500, "O", ADULTS, 0),
    ("PF02", "Pose d'implant contraceptif", "P", "S", "O", 2000, "O", MOTHERS, 0),
    ("PF03", "Retrait d'implant contraceptif", "P", "S", "O", 2000, "O", MOTHERS, 0),
    ("PF04", "Pose de dispositif intra-utérin (DIU)", "P", "S", "O", 3000, "O", MOTHERS, 0),
    ("PF05", "Retrait de dispositif intra-utérin", "P", "S", "O", 2000, "O", MOTHERS, 0),
    ("PF06", "Injection contraceptive", "P", "S", "O", 500, "O", MOTHERS, 84),
    ("PF07", "Dépistage du cancer du col (IVA/IVL)", "P", "S", "O", 1000, "O", MOTHERS, 365),
    # Physiotherapy
    ("KIN01", "Séance de kinésithérapie", "C", "S", "O", 5000, "O", ALL, 0),
    ("KIN02", "Séance de rééducation fonctionnelle", "C", "S", "O", 5000, "O", ALL, 0),
    ("KIN03", "Kinésithérapie respiratoire", "C", "S", "O", 4000, "B", ALL, 0),
    # Dental care
    ("DEN01", "Extraction dentaire simple", "C", "S", "O", 3000, "O", ALL, 0),
    ("DEN02", "Extraction dentaire chirurgicale", "C", "S", "O", 10000, "O", ALL, 0),
    ("DEN03", "Détartrage", "C", "S", "O", 7500, "O", ALL, 180),
    ("DEN04", "Obturation dentaire (plombage)", "C", "S", "O", 10000, "O", ALL, 0),
    ("DEN05", "Traitement canalaire", "C", "S", "O", 20000, "O", ALL, 0),
    ("DEN06", "Drainage d'abcès dentaire", "C", "S", "O", 5000, "O", ALL, 0),
    # Eye care
    ("OPH01", "Mesure de l'acuité visuelle", "C", "S", "O", 1000, "O", ALL, 0),
    ("OPH02", "Examen du fond d'œil", "C", "S", "O", 3000, "O", ALL, 0),
    ("OPH03", "Mesure de la tension oculaire", "C", "S", "O", 3000, "O", ALL, 0),
]


def _items() -> list[tuple]:
    """(code, name, type D/M, package, price FCFA, care type, patients, days), generated from
    families of products and their dosages / forms / sizes."""
    rows: list[tuple] = []

    def family(prefix, type_, care, patients, variants, days=0):
        for i, (name, package, price) in enumerate(variants, start=1):
            rows.append((f"{prefix}{i:02d}", name, type_, package, price, care, patients, days))

    b30 = "Boîte de 30 comprimés"
    b60 = "Boîte de 60 comprimés"
    # Antiretrovirals
    family(
        "ARV",
        "D",
        "O",
        ALL,
        [
            ("Ténofovir/Lamivudine/Dolutégravir 300/300/50 mg (TLD)", b30, 4500),
            (
                "Ténofovir/Lamivudine/Dolutégravir 300/300/50 mg (TLD)",
                "Boîte de 90 comprimés",
                12500,
            ),
            ("Ténofovir/Lamivudine/Éfavirenz 300/300/600 mg", b30, 5000),
            ("Ténofovir/Lamivudine/Éfavirenz 300/300/400 mg", b30, 5000),
            ("Ténofovir/Lamivudine 300/300 mg", b30, 3000),
            ("Zidovudine/Lamivudine 300/150 mg", b60, 4000),
            ("Zidovudine/Lamivudine/Névirapine 300/150/200 mg", b60, 5500),
            ("Zidovudine/Lamivudine 60/30 mg dispersible (pédiatrique)", b60, 2500),
            ("Abacavir/Lamivudine 120/60 mg dispersible (pédiatrique)", b30, 3500),
            ("Abacavir/Lamivudine 600/300 mg", b30, 7000),
            ("Dolutégravir 50 mg", b30, 3000),
            ("Dolutégravir 10 mg dispersible (pédiatrique)", "Boîte de 90 comprimés", 4000),
            ("Lopinavir/Ritonavir 200/50 mg", "Boîte de 120 comprimés", 15000),
            ("Lopinavir/Ritonavir 40/10 mg granules (pédiatrique)", "Boîte de 120 sachets", 12000),
            ("Lopinavir/Ritonavir 100/25 mg (pédiatrique)", b60, 6000),
            ("Atazanavir/Ritonavir 300/100 mg", b30, 9000),
            ("Darunavir 600 mg", b60, 20000),
            ("Ritonavir 100 mg", b60, 5000),
            ("Éfavirenz 600 mg", b30, 2000),
            ("Éfavirenz 200 mg", "Boîte de 90 gélules", 3000),
            ("Névirapine 50 mg/5 ml suspension buvable", "Flacon de 100 ml", 1500),
            ("Zidovudine 50 mg/5 ml sirop", "Flacon de 240 ml", 2000),
            ("Raltégravir 400 mg", b60, 25000),
        ],
        days=0,
    )
    # Opportunistic infections and tuberculosis
    family(
        "IO",
        "D",
        "B",
        ALL,
        [
            ("Cotrimoxazole 480 mg", "Boîte de 100 comprimés", 1500),
            ("Cotrimoxazole 960 mg", b30, 1000),
            ("Cotrimoxazole 240 mg/5 ml suspension", "Flacon de 100 ml", 600),
            ("Isoniazide 100 mg", "Boîte de 100 comprimés", 1000),
            ("Isoniazide 300 mg", b30, 800),
            ("Isoniazide/Rifapentine 300/300 mg (3HP)", "Boîte de 36 comprimés", 6000),
            ("Pyridoxine (vitamine B6) 25 mg", "Boîte de 100 comprimés", 800),
            ("Fluconazole 50 mg", "Boîte de 7 gélules", 1000),
            ("Fluconazole 150 mg", "Boîte de 1 gélule", 500),
            ("Fluconazole 200 mg", "Boîte de 10 gélules", 2000),
            ("Fluconazole 2 mg/ml perfusion", "Flacon de 100 ml", 3500),
            ("Amphotéricine B 50 mg injectable", "Flacon", 8000),
            ("Flucytosine 500 mg", "Boîte de 100 comprimés", 25000),
            ("Aciclovir 200 mg", "Boîte de 25 comprimés", 1500),
            ("Aciclovir 400 mg", "Boîte de 35 comprimés", 3000),
            (
                "RHZE 150/75/400/275 mg (tuberculose, phase intensive)",
                "Boîte de 672 comprimés",
                25000,
            ),
            ("RH 150/75 mg (tuberculose, phase de continuation)", "Boîte de 672 comprimés", 18000),
            (
                "RHZ 75/50/150 mg dispersible (tuberculose pédiatrique)",
                "Boîte de 84 comprimés",
                5000,
            ),
            ("RH 75/50 mg dispersible (tuberculose pédiatrique)", "Boîte de 84 comprimés", 4000),
            ("Éthambutol 400 mg", "Boîte de 100 comprimés", 2500),
        ],
    )
    # Antimalarials
    family(
        "PAL",
        "D",
        "B",
        ALL,
        [
            ("Artéméther/Luméfantrine 20/120 mg (5-14 kg)", "Boîte de 6 comprimés", 300),
            ("Artéméther/Luméfantrine 20/120 mg (15-24 kg)", "Boîte de 12 comprimés", 500),
            ("Artéméther/Luméfantrine 20/120 mg (25-34 kg)", "Boîte de 18 comprimés", 700),
            ("Artéméther/Luméfantrine 20/120 mg (35 kg et plus)", "Boîte de 24 comprimés", 900),
            ("Artéméther/Luméfantrine 20/120 mg dispersible", "Boîte de 6 comprimés", 350),
            ("Artéméther/Luméfantrine 80/480 mg", "Boîte de 6 comprimés", 1000),
            ("Artésunate/Amodiaquine 25/67,5 mg (nourrisson)", "Boîte de 3 comprimés", 300),
            ("Artésunate/Amodiaquine 50/135 mg (enfant)", "Boîte de 3 comprimés", 400),
            ("Artésunate/Amodiaquine 100/270 mg (grand enfant)", "Boîte de 3 comprimés", 500),
            ("Artésunate/Amodiaquine 100/270 mg (adulte)", "Boîte de 6 comprimés", 800),
            ("Artésunate 60 mg injectable", "Flacon avec solvant", 1500),
            ("Artésunate 120 mg injectable", "Flacon avec solvant", 2500),
            ("Artésunate 100 mg suppositoire", "Boîte de 2 suppositoires", 1500),
            ("Artéméther 80 mg/ml injectable", "Boîte de 6 ampoules", 3000),
            ("Artéméther 20 mg/ml injectable", "Boîte de 6 ampoules", 2000),
            ("Quinine 300 mg", "Boîte de 20 comprimés", 1500),
            ("Quinine 400 mg/4 ml injectable", "Ampoule", 300),
            ("Quinine 200 mg/2 ml injectable", "Ampoule", 200),
            ("Sulfadoxine/Pyriméthamine 500/25 mg (TPI)", "Boîte de 3 comprimés", 150),
            ("Dihydroartémisinine/Pipéraquine 40/320 mg", "Boîte de 9 comprimés", 2500),
        ],
    )
    # Antibiotics
    family(
        "ATB",
        "D",
        "B",
        ALL,
        [
            ("Amoxicilline 250 mg gélule", "Boîte de 100 gélules", 2000),
            ("Amoxicilline 500 mg gélule", "Boîte de 100 gélules", 3000),
            ("Amoxicilline 250 mg dispersible", "Boîte de 100 comprimés", 2500),
            ("Amoxicilline 125 mg/5 ml suspension", "Flacon de 60 ml", 500),
            ("Amoxicilline 250 mg/5 ml suspension", "Flacon de 100 ml", 800),
            ("Amoxicilline 1 g injectable", "Flacon", 500),
            ("Amoxicilline/Acide clavulanique 500/62,5 mg", "Boîte de 16 comprimés", 3500),
            ("Amoxicilline/Acide clavulanique 1 g/125 mg", "Boîte de 14 comprimés", 5000),
            ("Amoxicilline/Acide clavulanique 100/12,5 mg/ml suspension", "Flacon de 60 ml", 3000),
            ("Amoxicilline/Acide clavulanique 1 g injectable", "Flacon", 2500),
            ("Ampicilline 500 mg injectable", "Flacon", 250),
            ("Ampicilline 1 g injectable", "Flacon", 350),
            ("Ceftriaxone 250 mg injectable", "Flacon", 500),
            ("Ceftriaxone 500 mg injectable", "Flacon", 600),
            ("Ceftriaxone 1 g injectable", "Flacon", 800),
            ("Céfixime 200 mg", "Boîte de 10 comprimés", 2500),
            ("Céfixime 100 mg/5 ml suspension", "Flacon de 40 ml", 2500),
            ("Métronidazole 250 mg", "Boîte de 100 comprimés", 1000),
            ("Métronidazole 500 mg", "Boîte de 20 comprimés", 500),
            ("Métronidazole 125 mg/5 ml suspension", "Flacon de 100 ml", 600),
            ("Métronidazole 500 mg/100 ml perfusion", "Flacon de 100 ml", 500),
            ("Ciprofloxacine 250 mg", "Boîte de 10 comprimés", 500),
            ("Ciprofloxacine 500 mg", "Boîte de 10 comprimés", 800),
            ("Ciprofloxacine 200 mg/100 ml perfusion", "Flacon de 100 ml", 1500),
            ("Gentamicine 40 mg/ml injectable", "Ampoule de 2 ml", 150),
            ("Gentamicine 80 mg/2 ml injectable", "Ampoule de 2 ml", 200),
            ("Érythromycine 250 mg", "Boîte de 20 comprimés", 1000),
            ("Érythromycine 500 mg", "Boîte de 20 comprimés", 1800),
            ("Azithromycine 250 mg", "Boîte de 6 comprimés", 1000),
            ("Azithromycine 500 mg", "Boîte de 3 comprimés", 1200),
            ("Azithromycine 200 mg/5 ml suspension", "Flacon de 15 ml", 1500),
            ("Doxycycline 100 mg", "Boîte de 100 comprimés", 2000),
            ("Cloxacilline 250 mg", "Boîte de 100 gélules", 3000),
            ("Cloxacilline 500 mg", "Boîte de 100 gélules", 5000),
            ("Cloxacilline 1 g injectable", "Flacon", 600),
            ("Benzathine benzylpénicilline 2,4 MUI injectable", "Flacon", 800),
            ("Benzylpénicilline 1 MUI injectable", "Flacon", 200),
            ("Benzylpénicilline 5 MUI injectable", "Flacon", 400),
            ("Nitrofurantoïne 100 mg", "Boîte de 100 comprimés", 3000),
            ("Chloramphénicol 250 mg", "Boîte de 100 gélules", 2500),
            ("Chloramphénicol 1 g injectable", "Flacon", 500),
            ("Ciprofloxacine 0,3 % collyre", "Flacon de 5 ml", 800),
            ("Tétracycline 1 % pommade ophtalmique", "Tube de 5 g", 300),
            ("Cotrimoxazole 480 mg/5 ml perfusion", "Ampoule de 5 ml", 700),
        ],
    )
    # Pain, fever, inflammation
    family(
        "ANT",
        "D",
        "B",
        ALL,
        [
            ("Paracétamol 500 mg", "Plaquette de 10 comprimés", 100),
            ("Paracétamol 500 mg", "Boîte de 100 comprimés", 800),
            ("Paracétamol 500 mg", "Boîte de 1000 comprimés", 6000),
            ("Paracétamol 100 mg", "Boîte de 100 comprimés", 600),
            ("Paracétamol 120 mg/5 ml sirop", "Flacon de 100 ml", 500),
            ("Paracétamol 1 g/100 ml perfusion", "Flacon de 100 ml", 1500),
            ("Paracétamol 150 mg suppositoire", "Boîte de 10 suppositoires", 800),
            ("Paracétamol 300 mg suppositoire", "Boîte de 10 suppositoires", 1000),
            ("Ibuprofène 200 mg", "Boîte de 20 comprimés", 500),
            ("Ibuprofène 400 mg", "Boîte de 30 comprimés", 1000),
            ("Ibuprofène 100 mg/5 ml suspension", "Flacon de 100 ml", 1000),
            ("Diclofénac 50 mg", "Boîte de 30 comprimés", 700),
            ("Diclofénac 75 mg/3 ml injectable", "Ampoule de 3 ml", 150),
            ("Tramadol 50 mg", "Boîte de 20 gélules", 1500),
            ("Tramadol 100 mg/2 ml injectable", "Ampoule de 2 ml", 500),
            ("Morphine 10 mg/ml injectable", "Ampoule de 1 ml", 800),
            ("Morphine 10 mg/5 ml solution buvable", "Flacon de 100 ml", 5000),
            ("Acide acétylsalicylique 500 mg", "Boîte de 20 comprimés", 300),
            ("Acide acétylsalicylique 100 mg", b30, 500),
            ("Métamizole 1 g/2 ml injectable", "Ampoule de 2 ml", 200),
        ],
    )
    # Vitamins, minerals, deworming, rehydration
    family(
        "SUP",
        "D",
        "O",
        ALL,
        [
            ("Fer/Acide folique 200/0,4 mg", "Boîte de 100 comprimés", 1000),
            ("Acide folique 5 mg", "Boîte de 100 comprimés", 600),
            ("Fer 45 mg/5 ml sirop", "Flacon de 150 ml", 1000),
            ("Vitamine A 100 000 UI", "Capsule", 50),
            ("Vitamine A 200 000 UI", "Capsule", 75),
            ("Zinc 20 mg dispersible", "Plaquette de 10 comprimés", 200),
            ("Sels de réhydratation orale (SRO) faible osmolarité", "Sachet pour 1 litre", 100),
            ("SRO et zinc (co-emballage)", "Kit de 2 sachets et 10 comprimés", 400),
            ("Multivitamines sirop", "Flacon de 100 ml", 700),
            ("Vitamine B complexe", "Boîte de 100 comprimés", 700),
            ("Vitamine C 500 mg", "Boîte de 100 comprimés", 1000),
            ("Calcium 500 mg", b30, 1500),
            ("Mébendazole 100 mg", "Boîte de 6 comprimés", 200),
            ("Mébendazole 500 mg", "Comprimé", 100),
            ("Albendazole 400 mg", "Comprimé", 100),
            ("Albendazole 200 mg/5 ml suspension", "Flacon de 10 ml", 300),
            ("Praziquantel 600 mg", "Boîte de 100 comprimés", 8000),
            ("Aliment thérapeutique prêt à l'emploi (ATPE)", "Sachet de 92 g", 300),
            ("Lait thérapeutique F-75", "Boîte de 400 g", 4000),
            ("Lait thérapeutique F-100", "Boîte de 400 g", 4000),
        ],
    )
    # Obstetrics and family planning
    family(
        "OBS",
        "D",
        "B",
        WOMEN,
        [
            ("Ocytocine 10 UI injectable", "Ampoule de 1 ml", 300),
            ("Misoprostol 200 µg", "Boîte de 3 comprimés", 1000),
            ("Sulfate de magnésium 50 % injectable", "Ampoule de 10 ml", 500),
            ("Méthylergométrine 0,2 mg injectable", "Ampoule de 1 ml", 400),
            ("Nifédipine 10 mg", b30, 1000),
            ("Méthyldopa 250 mg", b30, 1500),
            ("Hydralazine 20 mg injectable", "Ampoule", 2500),
            ("Dexaméthasone 4 mg/ml injectable (maturation pulmonaire)", "Ampoule de 1 ml", 200),
            ("Gluconate de calcium 10 % injectable", "Ampoule de 10 ml", 400),
            ("Implant lévonorgestrel 2 x 75 mg (Jadelle)", "Kit avec trocart", 1000),
            ("Implant étonogestrel 68 mg (Implanon NXT)", "Kit avec applicateur", 1000),
            ("Médroxyprogestérone 150 mg injectable (DMPA)", "Flacon de 1 ml", 300),
            ("Médroxyprogestérone 104 mg sous-cutanée (Sayana Press)", "Injecteur Uniject", 300),
            ("Lévonorgestrel/Éthinylestradiol 0,15/0,03 mg", "Plaquette de 28 comprimés", 200),
            ("Lévonorgestrel 0,03 mg (pilule progestative)", "Plaquette de 35 comprimés", 200),
            ("Lévonorgestrel 1,5 mg (contraception d'urgence)", "Boîte de 1 comprimé", 500),
            ("Dispositif intra-utérin au cuivre (TCu 380A)", "Unité stérile", 500),
            ("Clotrimazole 500 mg ovule", "Boîte de 1 ovule", 800),
            ("Nystatine 100 000 UI comprimé gynécologique", "Boîte de 14 comprimés", 1500),
        ],
    )
    # Chronic diseases, emergencies and the rest of the essential medicines list
    family(
        "MED",
        "D",
        "B",
        ALL,
        [
            ("Metformine 500 mg", "Boîte de 100 comprimés", 1500),
            ("Metformine 850 mg", "Boîte de 100 comprimés", 2000),
            ("Glibenclamide 5 mg", "Boîte de 100 comprimés", 1000),
            ("Insuline NPH 100 UI/ml", "Flacon de 10 ml", 5000),
            ("Insuline rapide 100 UI/ml", "Flacon de 10 ml", 5000),
            ("Amlodipine 5 mg", b30, 1000),
            ("Amlodipine 10 mg", b30, 1500),
            ("Captopril 25 mg", "Boîte de 100 comprimés", 1500),
            ("Énalapril 5 mg", b30, 1000),
            ("Énalapril 10 mg", b30, 1500),
            ("Hydrochlorothiazide 25 mg", b30, 800),
            ("Furosémide 40 mg", "Boîte de 100 comprimés", 1000),
            ("Furosémide 20 mg/2 ml injectable", "Ampoule de 2 ml", 150),
            ("Aténolol 50 mg", b30, 1000),
            ("Salbutamol 100 µg/dose inhalateur", "Flacon de 200 doses", 2500),
            ("Salbutamol 2 mg", "Boîte de 100 comprimés", 800),
            ("Salbutamol 5 mg/ml solution pour nébulisation", "Flacon de 20 ml", 2000),
            ("Prednisolone 5 mg", "Boîte de 100 comprimés", 1500),
            ("Prednisolone 20 mg", "Boîte de 20 comprimés", 1500),
            ("Hydrocortisone 100 mg injectable", "Flacon", 800),
            ("Dexaméthasone 4 mg/ml injectable", "Ampoule de 1 ml", 150),
            ("Oméprazole 20 mg", "Boîte de 14 gélules", 800),
            ("Oméprazole 40 mg injectable", "Flacon", 1500),
            ("Hydroxyde d'aluminium et de magnésium", "Boîte de 40 comprimés", 600),
            ("Métoclopramide 10 mg", "Boîte de 40 comprimés", 500),
            ("Métoclopramide 10 mg/2 ml injectable", "Ampoule de 2 ml", 150),
            ("Butylscopolamine 10 mg", "Boîte de 20 comprimés", 800),
            ("Butylscopolamine 20 mg/ml injectable", "Ampoule de 1 ml", 250),
            ("Diazépam 5 mg", "Boîte de 100 comprimés", 1000),
            ("Diazépam 10 mg/2 ml injectable", "Ampoule de 2 ml", 200),
            ("Phénobarbital 100 mg", "Boîte de 100 comprimés", 1500),
            ("Phénobarbital 200 mg/ml injectable", "Ampoule de 1 ml", 500),
            ("Carbamazépine 200 mg", "Boîte de 100 comprimés", 3000),
            ("Halopéridol 5 mg/ml injectable", "Ampoule de 1 ml", 400),
            ("Chlorphénamine 4 mg", "Boîte de 100 comprimés", 500),
            ("Prométhazine 25 mg", "Boîte de 20 comprimés", 500),
            ("Loratadine 10 mg", "Boîte de 10 comprimés", 500),
            ("Adrénaline 1 mg/ml injectable", "Ampoule de 1 ml", 300),
            ("Atropine 1 mg/ml injectable", "Ampoule de 1 ml", 200),
            ("Lidocaïne 1 % injectable", "Flacon de 20 ml", 500),
            ("Lidocaïne 2 % injectable", "Flacon de 20 ml", 600),
            ("Kétamine 50 mg/ml injectable", "Flacon de 10 ml", 2500),
            ("Propofol 10 mg/ml injectable", "Ampoule de 20 ml", 2500),
            ("Bupivacaïne hyperbare 0,5 % (rachianesthésie)", "Ampoule de 4 ml", 1500),
            ("Vitamine K1 1 mg injectable (nouveau-né)", "Ampoule", 200),
            ("Vitamine K1 10 mg injectable", "Ampoule", 300),
            ("Héparine 5 000 UI/ml injectable", "Flacon de 5 ml", 3000),
            ("Tranexamique (acide) 500 mg/5 ml injectable", "Ampoule de 5 ml", 800),
        ],
    )
    # Infusions
    family(
        "PER",
        "D",
        "I",
        ALL,
        [
            ("Sérum glucosé 5 %", "Flacon de 250 ml", 400),
            ("Sérum glucosé 5 %", "Flacon de 500 ml", 500),
            ("Sérum glucosé 5 %", "Flacon de 1000 ml", 800),
            ("Sérum glucosé 10 %", "Flacon de 500 ml", 600),
            ("Sérum glucosé 50 %", "Flacon de 50 ml", 500),
            ("Sérum salé isotonique 0,9 %", "Flacon de 250 ml", 400),
            ("Sérum salé isotonique 0,9 %", "Flacon de 500 ml", 500),
            ("Sérum salé isotonique 0,9 %", "Flacon de 1000 ml", 800),
            ("Ringer lactate", "Flacon de 500 ml", 600),
            ("Ringer lactate", "Flacon de 1000 ml", 900),
            ("Bicarbonate de sodium 8,4 %", "Flacon de 250 ml", 1500),
            ("Chlorure de potassium 10 %", "Ampoule de 10 ml", 200),
            ("Eau pour préparations injectables", "Ampoule de 10 ml", 50),
            ("Mannitol 20 %", "Flacon de 500 ml", 2500),
        ],
    )
    # Skin and antiseptics
    family(
        "DER",
        "D",
        "B",
        ALL,
        [
            ("Povidone iodée 10 % solution", "Flacon de 200 ml", 1500),
            ("Povidone iodée 10 % solution", "Flacon de 1 litre", 5000),
            ("Alcool éthylique 70 %", "Flacon de 1 litre", 1500),
            ("Chlorhexidine 4 % solution moussante", "Flacon de 500 ml", 2500),
            ("Chlorhexidine digluconate 7,1 % gel (soins du cordon)", "Tube de 10 g", 500),
            ("Éosine aqueuse 2 %", "Flacon de 60 ml", 300),
            ("Miconazole 2 % crème", "Tube de 30 g", 800),
            ("Clotrimazole 1 % crème", "Tube de 20 g", 700),
            ("Nystatine 100 000 UI/ml suspension buvable", "Flacon de 30 ml", 1200),
            ("Benzoate de benzyle 25 % lotion", "Flacon de 125 ml", 1000),
            ("Oxyde de zinc pommade", "Tube de 50 g", 500),
            ("Sulfadiazine argentique 1 % crème", "Tube de 50 g", 2500),
            ("Violet de gentiane 0,5 %", "Flacon de 30 ml", 300),
            ("Hydrocortisone 1 % crème", "Tube de 15 g", 800),
        ],
    )
    # Medical consumables
    family(
        "SER",
        "M",
        "B",
        ALL,
        [
            ("Seringue 2 ml avec aiguille", "Boîte de 100", 3000),
            ("Seringue 5 ml avec aiguille", "Boîte de 100", 3500),
            ("Seringue 10 ml avec aiguille", "Boîte de 100", 5000),
            ("Seringue 20 ml avec aiguille", "Boîte de 50", 4000),
            ("Seringue 50 ml (seringue électrique)", "Unité", 500),
            ("Seringue autobloquante 0,05 ml (BCG)", "Boîte de 100", 5000),
            ("Seringue autobloquante 0,5 ml", "Boîte de 100", 4500),
            ("Seringue à insuline 1 ml", "Boîte de 100", 5000),
            ("Aiguille 18G", "Boîte de 100", 2000),
            ("Aiguille 21G", "Boîte de 100", 2000),
            ("Aiguille 23G", "Boîte de 100", 2000),
            ("Cathéter intraveineux 18G", "Unité", 300),
            ("Cathéter intraveineux 20G", "Unité", 300),
            ("Cathéter intraveineux 22G", "Unité", 300),
            ("Cathéter intraveineux 24G", "Unité", 350),
            ("Perfuseur avec prise d'air", "Unité", 250),
            ("Perfuseur pédiatrique (microgoutte)", "Unité", 500),
            ("Transfuseur", "Unité", 600),
            ("Robinet à trois voies", "Unité", 300),
            ("Aiguille épicrânienne 23G", "Unité", 150),
        ],
    )
    family(
        "GAN",
        "M",
        "B",
        ALL,
        [
            ("Gants d'examen non stériles taille S", "Boîte de 100", 3500),
            ("Gants d'examen non stériles taille M", "Boîte de 100", 3500),
            ("Gants d'examen non stériles taille L", "Boîte de 100", 3500),
            ("Gants chirurgicaux stériles 6,5", "Paire", 250),
            ("Gants chirurgicaux stériles 7", "Paire", 250),
            ("Gants chirurgicaux stériles 7,5", "Paire", 250),
            ("Gants chirurgicaux stériles 8", "Paire", 250),
            ("Gants de révision utérine", "Paire", 500),
        ],
    )
    family(
        "PAN",
        "M",
        "B",
        ALL,
        [
            ("Compresses stériles 10 x 10 cm", "Sachet de 10", 300),
            ("Compresses non stériles 10 x 10 cm", "Paquet de 100", 1500),
            ("Coton hydrophile", "Rouleau de 100 g", 500),
            ("Coton hydrophile", "Rouleau de 500 g", 2000),
            ("Sparadrap 2,5 cm x 5 m", "Rouleau", 500),
            ("Sparadrap 5 cm x 5 m", "Rouleau", 800),
            ("Bande de crêpe 5 cm", "Rouleau", 300),
            ("Bande de crêpe 10 cm", "Rouleau", 400),
            ("Bande de crêpe 15 cm", "Rouleau", 500),
            ("Bande plâtrée 10 cm", "Rouleau", 1000),
            ("Bande plâtrée 15 cm", "Rouleau", 1300),
            ("Bande de gaze 10 cm", "Rouleau", 200),
            ("Pansement adhésif stérile 10 x 6 cm", "Unité", 150),
            ("Champ opératoire stérile", "Unité", 1000),
        ],
    )
    family(
        "SUT",
        "M",
        "B",
        ALL,
        [
            ("Fil résorbable tressé 0 (polyglactine)", "Sachet", 2000),
            ("Fil résorbable tressé 1 (polyglactine)", "Sachet", 2000),
            ("Fil résorbable tressé 2/0 (polyglactine)", "Sachet", 2000),
            ("Fil résorbable tressé 3/0 (polyglactine)", "Sachet", 2000),
            ("Fil non résorbable 2/0 (nylon)", "Sachet", 1000),
            ("Fil non résorbable 3/0 (nylon)", "Sachet", 1000),
            ("Fil de catgut chromé 2/0", "Sachet", 1200),
            ("Lame de bistouri n° 21", "Boîte de 100", 5000),
            ("Lame de bistouri n° 23", "Boîte de 100", 5000),
            ("Kit d'accouchement", "Kit", 3000),
            ("Kit de césarienne", "Kit", 25000),
            ("Kit d'aspiration manuelle intra-utérine (AMIU)", "Kit", 15000),
            ("Clamp de cordon ombilical", "Unité", 100),
            ("Kit de circoncision", "Kit", 5000),
        ],
    )
    family(
        "SON",
        "M",
        "I",
        ALL,
        [
            ("Sonde urinaire Foley CH 14", "Unité", 600),
            ("Sonde urinaire Foley CH 16", "Unité", 600),
            ("Sonde urinaire Foley CH 18", "Unité", 600),
            ("Poche à urine 2 litres", "Unité", 300),
            ("Sonde nasogastrique CH 8", "Unité", 300),
            ("Sonde nasogastrique CH 10", "Unité", 300),
            ("Sonde nasogastrique CH 12", "Unité", 300),
            ("Sonde nasogastrique CH 16", "Unité", 300),
            ("Sonde d'aspiration CH 10", "Unité", 250),
            ("Masque à oxygène adulte", "Unité", 1000),
            ("Masque à oxygène pédiatrique", "Unité", 1000),
            ("Lunettes à oxygène adulte", "Unité", 500),
            ("Lunettes à oxygène pédiatrique", "Unité", 500),
            ("Poche de sang (prélèvement simple 450 ml)", "Unité", 2500),
        ],
    )
    family(
        "LAB",
        "M",
        "O",
        ALL,
        [
            ("Test de diagnostic rapide du paludisme (TDR)", "Boîte de 25 tests", 7500),
            ("Test de dépistage VIH (Determine HIV-1/2)", "Boîte de 100 tests", 80000),
            ("Test de confirmation VIH (First Response HIV 1-2.0)", "Boîte de 30 tests", 24000),
            ("Autotest VIH oral (OraQuick)", "Unité", 1500),
            ("Test rapide de la syphilis", "Boîte de 25 tests", 10000),
            ("Test duo VIH/syphilis", "Boîte de 25 tests", 20000),
            ("Test de grossesse urinaire", "Boîte de 50 tests", 5000),
            ("Test rapide AgHBs", "Boîte de 25 tests", 10000),
            ("Test rapide anticorps VHC", "Boîte de 25 tests", 12500),
            ("Bandelettes urinaires (10 paramètres)", "Flacon de 100", 7500),
            ("Bandelettes de glycémie", "Boîte de 50", 10000),
            ("Lancettes stériles", "Boîte de 100", 2000),
            ("Tube EDTA 4 ml", "Boîte de 100", 6000),
            ("Tube sec 5 ml", "Boîte de 100", 5000),
            ("Lames porte-objet", "Boîte de 50", 1500),
            ("Cartouche GeneXpert MTB/RIF", "Unité", 8000),
            ("Gel pour échographie", "Flacon de 250 ml", 1500),
            ("Film radiographique 35 x 43 cm", "Boîte de 100", 80000),
            ("Papier ECG", "Rouleau", 2000),
        ],
    )
    family(
        "PRE",
        "M",
        "O",
        ALL,
        [
            ("Moustiquaire imprégnée d'insecticide à longue durée (MILDA)", "Unité", 3000),
            ("Préservatif masculin", "Boîte de 144", 3000),
            ("Préservatif féminin", "Boîte de 20", 2000),
            ("Masque chirurgical", "Boîte de 50", 2500),
            ("Blouse de protection à usage unique", "Unité", 1000),
            ("Solution hydroalcoolique", "Flacon de 500 ml", 2000),
            ("Boîte de sécurité pour objets piquants", "Unité de 5 litres", 1000),
        ],
    )
    return rows


ITEMS = _items()

NATIONAL_SERVICES = "Tarifs nationaux des soins 2026"
NATIONAL_ITEMS = "Tarifs nationaux des produits médicaux 2026"
MFOUNDI_SERVICES = "Tarifs des soins du district de Mfoundi 2026"
# Mfoundi (Yaoundé) is dearer for some acts: {service code: price override}.
MFOUNDI_OVERRIDES = {
    "CG01": 2500,
    "CS01": 6000,
    "CS02": 6000,
    "CHI01": 175000,
    "IMG01": 10000,
    "LAB01": 3500,
    "HOS01": 3000,
    "ACC01": 12000,
}
PRICE_LIST_DATE = datetime.date(2026, 1, 1)


def load(actor) -> int:
    """Create what is missing; return how many records (services, items, price lists and
    price-list members) were created."""
    created = 0
    existing = set(Service.objects.current().values_list("code", flat=True))
    for code, name, type_, level, category, price, care, patients, days in SERVICES:
        if code in existing:
            continue
        catalogue_services.service_create(
            actor=actor,
            code=code,
            name=name,
            type=type_,
            level=level,
            category=category,
            price=Decimal(price),
            care_type=care,
            patient_category=patients,
            frequency=days,
        )
        created += 1
    existing = set(Item.objects.current().values_list("code", flat=True))
    for code, name, type_, package, price, care, patients, days in ITEMS:
        if code in existing:
            continue
        catalogue_services.item_create(
            actor=actor,
            code=code,
            name=name,
            type=type_,
            package=package,
            price=Decimal(price),
            care_type=care,
            patient_category=patients,
            frequency=days,
        )
        created += 1

    all_services = list(Service.objects.current())
    national = _price_list(actor, pricelist_services.SERVICES, NATIONAL_SERVICES, None)
    created += national[1]
    created += pricelist_services.pricelist_add_members(
        actor=actor, price_list=national[0], members=all_services
    )
    items_list = _price_list(actor, pricelist_services.ITEMS, NATIONAL_ITEMS, None)
    created += items_list[1]
    created += pricelist_services.pricelist_add_members(
        actor=actor, price_list=items_list[0], members=list(Item.objects.current())
    )

    from kinga.locations.models import Location

    mfoundi = Location.objects.current().filter(type="D", name="Mfoundi").first()
    if mfoundi is not None:
        district, new = _price_list(actor, pricelist_services.SERVICES, MFOUNDI_SERVICES, mfoundi)
        created += new
        created += pricelist_services.pricelist_add_members(
            actor=actor, price_list=district, members=all_services
        )
        if new:
            entries = (
                pricelist_services.SERVICES.entries(district).current().select_related("service")
            )
            pricelist_services.pricelist_set_overrides(
                actor=actor,
                price_list=district,
                overrides={
                    e: Decimal(MFOUNDI_OVERRIDES[e.service.code])
                    for e in entries
                    if e.service.code in MFOUNDI_OVERRIDES
                },
            )
    return created


def _price_list(actor, kind, name: str, location):
    """(the current list of that name, 1 if it was created now else 0)."""
    found = kind.model.objects.current().filter(name=name).first()
    if found is not None:
        return found, 0
    return (
        pricelist_services.pricelist_create(
            actor=actor, kind=kind, name=name, date=PRICE_LIST_DATE, location=location
        ),
        1,
    )
